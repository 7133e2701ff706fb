// Nothing the plugin does reaches stdout, where many hosts speak their
// protocol; logs without a host callback go to stderr.
#include "plugin.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <fcntl.h>
#include <string>
#include <unistd.h>

namespace {
using namespace sbx::abi_test;

// Points file descriptor 1 at a temporary file until text() (or the end of
// the scope) restores it.
class StdoutCapture {
public:
    StdoutCapture() : file_(std::tmpfile()), saved_(dup(STDOUT_FILENO)) {
        std::fflush(stdout);
        dup2(fileno(file_), STDOUT_FILENO);
    }
    ~StdoutCapture() {
        restore();
        std::fclose(file_);
    }

    std::string text() {
        restore();
        std::string out;
        std::rewind(file_);
        for (int c; (c = std::fgetc(file_)) != EOF;)
            out += static_cast<char>(c);
        return out;
    }

private:
    void restore() {
        if (saved_ < 0)
            return;
        std::fflush(stdout);
        dup2(saved_, STDOUT_FILENO);
        close(saved_);
        saved_ = -1;
    }

    std::FILE *file_;
    int saved_;
};

TEST(Stdout, StaysEmptyThroughEveryCall) {
    StdoutCapture capture;
    {
        uint32_t version = SBX_ABI_VERSION;
        api().negotiate_abi(&version);
        api().plugin_info();
        Sandbox sb;
        for (const char *request : {R"j({"language": "python", "code": "print(1)"})j",
                                    R"({"language": "nope", "code": ""})", "{"}) {
            Out result, error;
            api().execute(result.ptr(), sb.get(), request, nullptr, error.ptr());
        }
        Out languages, tools, tool_result, health;
        api().languages(languages.ptr(), sb.get(), nullptr);
        api().tools(tools.ptr(), sb.get(), "mcp", nullptr);
        api().call_tool(tool_result.ptr(), sb.get(), "no_such_tool", "{}", nullptr, nullptr);
        api().health(health.ptr(), sb.get(), nullptr);
    }
    EXPECT_EQ(capture.text(), "");
}

} // namespace
