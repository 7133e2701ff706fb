// NULL handles and pointers: no crash, SBX_E_INVALID_ARGUMENT, outputs reset
// to NULL, and a message through out_error when one is asked for.
#include "plugin.hpp"

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include <functional>

namespace {
using namespace sbx::abi_test;

// Stands for "not written by the plugin"; never freed.
char untouched_text[] = "untouched";
char *const untouched = untouched_text;

// `call(error)` must fail with SBX_E_INVALID_ARGUMENT and leave a message in
// *error.
void expect_invalid_argument(const std::function<sbx_status(char **)> &call) {
    char *error = untouched;
    EXPECT_EQ(call(&error), SBX_E_INVALID_ARGUMENT);
    ASSERT_NE(error, untouched) << "out_error was not written";
    ASSERT_NE(error, nullptr) << "no message";
    EXPECT_STRNE(error, "");
    api().string_free(error);
}

// The same for `call(out, error)`, which must also set *out to NULL.
void expect_invalid_argument_resets_out(const std::function<sbx_status(char **, char **)> &call) {
    char *out = untouched;
    expect_invalid_argument([&](char **error) { return call(&out, error); });
    EXPECT_EQ(out, nullptr);
}

constexpr const char *request = R"j({"language": "python", "code": "print(1)"})j";

TEST(NullSafety, DestroyAndStringFreeAcceptNull) {
    api().destroy(nullptr);
    api().string_free(nullptr);
}

TEST(NullSafety, CreateWithoutAHandleToFill) {
    expect_invalid_argument(
        [](char **error) { return api().create(nullptr, nullptr, nullptr, error); });
}

TEST(NullSafety, FailedCreateResetsTheHandle) {
    sbx_sandbox *sb = reinterpret_cast<sbx_sandbox *>(untouched);
    EXPECT_EQ(api().create(&sb, "{not json", nullptr, nullptr), SBX_E_INVALID_JSON);
    EXPECT_EQ(sb, nullptr);
}

TEST(NullSafety, Execute) {
    Sandbox sb;
    expect_invalid_argument([&](char **error) {
        return api().execute(nullptr, sb.get(), request, nullptr, error);
    });
    expect_invalid_argument_resets_out([&](char **out, char **error) {
        return api().execute(out, nullptr, request, nullptr, error);
    });
    expect_invalid_argument_resets_out([&](char **out, char **error) {
        return api().execute(out, sb.get(), nullptr, nullptr, error);
    });
}

TEST(NullSafety, Languages) {
    Sandbox sb;
    expect_invalid_argument(
        [&](char **error) { return api().languages(nullptr, sb.get(), error); });
    expect_invalid_argument_resets_out(
        [&](char **out, char **error) { return api().languages(out, nullptr, error); });
}

TEST(NullSafety, Tools) {
    Sandbox sb;
    expect_invalid_argument(
        [&](char **error) { return api().tools(nullptr, sb.get(), "mcp", error); });
    expect_invalid_argument_resets_out(
        [&](char **out, char **error) { return api().tools(out, nullptr, "mcp", error); });
    expect_invalid_argument_resets_out(
        [&](char **out, char **error) { return api().tools(out, sb.get(), nullptr, error); });
}

TEST(NullSafety, CallTool) {
    Sandbox sb;
    Out tools;
    ASSERT_EQ(api().tools(tools.ptr(), sb.get(), "mcp", nullptr), SBX_OK);
    // A tool that exists, so that only the NULL argument can be what fails.
    const boost::json::value doc = boost::json::parse(tools.get());
    const std::string name(doc.at("tools").at(0).at("name").as_string());
    expect_invalid_argument([&](char **error) {
        return api().call_tool(nullptr, sb.get(), name.c_str(), "{}", nullptr, error);
    });
    expect_invalid_argument_resets_out([&](char **out, char **error) {
        return api().call_tool(out, nullptr, name.c_str(), "{}", nullptr, error);
    });
    expect_invalid_argument_resets_out([&](char **out, char **error) {
        return api().call_tool(out, sb.get(), nullptr, "{}", nullptr, error);
    });
    expect_invalid_argument_resets_out([&](char **out, char **error) {
        return api().call_tool(out, sb.get(), name.c_str(), nullptr, nullptr, error);
    });
}

TEST(NullSafety, Health) {
    Sandbox sb;
    expect_invalid_argument(
        [&](char **error) { return api().health(nullptr, sb.get(), error); });
    expect_invalid_argument_resets_out(
        [&](char **out, char **error) { return api().health(out, nullptr, error); });
}

TEST(NullSafety, Sessions) {
    Sandbox sb;
    const char *options = R"j({"language": "python"})j";
    expect_invalid_argument(
        [&](char **error) { return api().session_open(nullptr, sb.get(), options, error); });
    expect_invalid_argument_resets_out(
        [&](char **out, char **error) { return api().session_open(out, nullptr, options, error); });
    expect_invalid_argument_resets_out(
        [&](char **out, char **error) { return api().session_open(out, sb.get(), nullptr, error); });
    EXPECT_EQ(api().session_close(nullptr, "s-1"), SBX_E_INVALID_ARGUMENT);
    EXPECT_EQ(api().session_close(sb.get(), nullptr), SBX_E_INVALID_ARGUMENT);
}

TEST(NullSafety, OutErrorIsOptional) {
    char *out = untouched;
    EXPECT_EQ(api().execute(&out, nullptr, request, nullptr, nullptr), SBX_E_INVALID_ARGUMENT);
    EXPECT_EQ(out, nullptr);
}

TEST(NullSafety, SuccessResetsOutError) {
    Sandbox sb;
    Out languages;
    char *error = untouched;
    EXPECT_EQ(api().languages(languages.ptr(), sb.get(), &error), SBX_OK);
    EXPECT_EQ(error, nullptr);
}

} // namespace
