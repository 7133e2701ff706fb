// A small RAII client over the C ABI for the integration tests: the tests
// use libsbx.so exactly as a host does, against the real engine.
#pragma once

#include "support/json_schema.hpp"

#include <sbx/sbx.h>

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

namespace sbx::test {

namespace json = boost::json;

// A string the plugin returned, freed with sbx_string_free.
struct Owned {
    char *p = nullptr;
    ~Owned() { sbx_string_free(p); }
    std::string str() const { return p ? p : ""; }
};

class Client {
public:
    explicit Client(const std::string &config = "") {
        Owned error;
        const sbx_status s = sbx_create(&sb_, config.empty() ? nullptr : config.c_str(), nullptr,
                                        &error.p);
        if (s != SBX_OK)
            throw std::runtime_error("sbx_create: " + error.str());
    }
    ~Client() { sbx_destroy(sb_); }
    Client(const Client &) = delete;
    Client &operator=(const Client &) = delete;

    // Runs a request that must be valid; returns the result document, which
    // must match its schema.
    json::object run(const json::object &request) {
        Owned out, error;
        const std::string text = json::serialize(request);
        const sbx_status s = sbx_execute(&out.p, sb_, text.c_str(), nullptr, &error.p);
        if (s != SBX_OK)
            throw std::runtime_error(std::string(sbx_status_name(s)) + ": " + error.str());
        const json::value result = json::parse(out.str());
        static const json::value schema = load_schema("execute.result.json");
        for (const std::string &problem : validate(schema, result))
            ADD_FAILURE() << "result breaks its schema: " << problem << "\n" << out.str();
        return result.as_object();
    }

    // Runs a request that must be refused; returns the status and message.
    std::pair<sbx_status, std::string> refuse(const std::string &request) {
        Owned out, error;
        const sbx_status s = sbx_execute(&out.p, sb_, request.c_str(), nullptr, &error.p);
        return {s, error.str()};
    }

    // Opens a session that must open; returns its sbx.session document.
    json::object open_session(const json::object &options) {
        Owned out, error;
        const std::string text = json::serialize(options);
        const sbx_status s = sbx_session_open(&out.p, sb_, text.c_str(), &error.p);
        if (s != SBX_OK)
            throw std::runtime_error(std::string(sbx_status_name(s)) + ": " + error.str());
        return json::parse(out.str()).as_object();
    }

    // An MCP CallToolResult of a tool that must be known.
    json::object call_tool(const std::string &name, const json::object &arguments) {
        Owned out, error;
        const std::string text = json::serialize(arguments);
        const sbx_status s =
            sbx_call_tool(&out.p, sb_, name.c_str(), text.c_str(), nullptr, &error.p);
        if (s != SBX_OK)
            throw std::runtime_error(std::string(sbx_status_name(s)) + ": " + error.str());
        return json::parse(out.str()).as_object();
    }

    sbx_sandbox *handle() { return sb_; }

private:
    sbx_sandbox *sb_ = nullptr;
};

// A run whose cancel token another thread fires `delay` after the call
// began, and how long the call took.
struct CancelledRun {
    json::object result;
    std::chrono::steady_clock::duration took;
};

inline CancelledRun execute_cancelled_after(sbx_sandbox *sb, const json::object &request,
                                            std::chrono::milliseconds delay) {
    sbx_cancel_token *token = nullptr;
    if (sbx_cancel_token_new(&token) != SBX_OK)
        throw std::runtime_error("sbx_cancel_token_new failed");
    std::thread firer([&] {
        std::this_thread::sleep_for(delay);
        sbx_cancel_token_cancel(token);
    });
    sbx_exec_options opts{};
    opts.struct_size = sizeof opts;
    opts.cancel = token;
    Owned out, error;
    const std::string text = json::serialize(request);
    const auto started = std::chrono::steady_clock::now();
    const sbx_status s = sbx_execute(&out.p, sb, text.c_str(), &opts, &error.p);
    const auto took = std::chrono::steady_clock::now() - started;
    firer.join();
    sbx_cancel_token_free(token);
    if (s != SBX_OK)
        throw std::runtime_error(std::string(sbx_status_name(s)) + ": " + error.str());
    return {json::parse(out.str()).as_object(), took};
}

// A fixture whose tests share one sandbox, made once per suite.
class SharedClient : public ::testing::Test {
protected:
    static void SetUpTestSuite() { client_ = new Client(); }
    static void TearDownTestSuite() {
        delete client_;
        client_ = nullptr;
    }
    inline static Client *client_ = nullptr;
};

inline std::string read_text(const std::filesystem::path &path) {
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw std::runtime_error("cannot read " + path.string());
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

// tests/programs/<language>/<name>.<ext>; empty when there is none.
inline std::string program(const std::string &language, const std::string &name) {
    const std::filesystem::path dir =
        std::filesystem::path(SBX_TEST_SOURCE_DIR) / "tests" / "programs" / language;
    if (std::filesystem::is_directory(dir))
        for (const auto &e : std::filesystem::directory_iterator(dir))
            if (e.path().stem() == name)
                return read_text(e.path());
    return {};
}

// A readable dump of a result for assertion messages.
inline std::string dump(const json::object &result) { return json::serialize(result); }

inline std::string str(const json::object &o, const char *key) {
    const json::value &v = o.at(key);
    return v.is_string() ? std::string(v.as_string()) : json::serialize(v);
}

} // namespace sbx::test
