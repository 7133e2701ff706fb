// API errors: a stable status and a message naming the field; no output.
#include "plugin.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <utility>

namespace {
using namespace sbx::abi_test;

struct Failure {
    sbx_status status;
    std::string message;
};

Failure create_with(const char *config) {
    sbx_sandbox *sb = nullptr;
    Out error;
    const sbx_status status = api().create(&sb, config, nullptr, error.ptr());
    EXPECT_EQ(sb, nullptr);
    api().destroy(sb);
    return {status, error.str()};
}

Failure execute(const char *request) {
    Sandbox sb;
    Out result, error;
    const sbx_status status = api().execute(result.ptr(), sb.get(), request, nullptr, error.ptr());
    EXPECT_EQ(result.get(), nullptr) << result.get();
    return {status, error.str()};
}

void expect_failure(const Failure &f, sbx_status status, const std::string &named) {
    EXPECT_EQ(f.status, status) << api().status_name(f.status) << ": " << f.message;
    EXPECT_NE(f.message, "") << "no message";
    EXPECT_NE(f.message.find(named), std::string::npos)
        << "the message does not name \"" << named << "\": " << f.message;
}

TEST(Errors, CreateRejectsMalformedJson) {
    expect_failure(create_with("{not json"), SBX_E_INVALID_JSON, "");
}

TEST(Errors, CreateNamesTheBadConfigField) {
    expect_failure(create_with(R"({"max_concurrency": "x"})"), SBX_E_INVALID_CONFIG,
                   "max_concurrency");
}

TEST(Errors, ExecuteRejectsMalformedJson) {
    expect_failure(execute(R"({"language": "python", "code": )"), SBX_E_INVALID_JSON, "");
}

TEST(Errors, ExecuteNamesAnUnknownLanguage) {
    expect_failure(execute(R"({"language": "nope", "code": ""})"), SBX_E_UNKNOWN_LANGUAGE, "nope");
}

TEST(Errors, ExecuteNamesAMissingField) {
    expect_failure(execute(R"({"language": "python"})"), SBX_E_INVALID_REQUEST, "code");
}

TEST(Errors, ExecuteNamesALimitAboveTheMaximum) {
    expect_failure(execute(R"({"language": "python", "code": "", "limits": {"time_s": 1e9}})"),
                   SBX_E_LIMIT_EXCEEDED, "time_s");
}

TEST(Errors, ToolsRejectsAnUnknownDialect) {
    Sandbox sb;
    Out tools, error;
    EXPECT_EQ(api().tools(tools.ptr(), sb.get(), "x", error.ptr()), SBX_E_UNKNOWN_DIALECT);
    EXPECT_EQ(tools.get(), nullptr);
    EXPECT_NE(error.str(), "");
}

TEST(Errors, CallToolNamesAnUnknownTool) {
    Sandbox sb;
    Out result, error;
    const Failure f{api().call_tool(result.ptr(), sb.get(), "no_such_tool", "{}", nullptr,
                                    error.ptr()),
                    error.str()};
    EXPECT_EQ(result.get(), nullptr);
    expect_failure(f, SBX_E_UNKNOWN_TOOL, "no_such_tool");
}

TEST(Errors, EveryStatusHasItsName) {
    const std::pair<sbx_status, const char *> names[] = {
        {SBX_OK, "SBX_OK"},
        {SBX_E_INVALID_ARGUMENT, "SBX_E_INVALID_ARGUMENT"},
        {SBX_E_INVALID_JSON, "SBX_E_INVALID_JSON"},
        {SBX_E_INVALID_REQUEST, "SBX_E_INVALID_REQUEST"},
        {SBX_E_UNKNOWN_LANGUAGE, "SBX_E_UNKNOWN_LANGUAGE"},
        {SBX_E_LIMIT_EXCEEDED, "SBX_E_LIMIT_EXCEEDED"},
        {SBX_E_ABI_MISMATCH, "SBX_E_ABI_MISMATCH"},
        {SBX_E_INVALID_CONFIG, "SBX_E_INVALID_CONFIG"},
        {SBX_E_ENGINE_UNAVAILABLE, "SBX_E_ENGINE_UNAVAILABLE"},
        {SBX_E_UNKNOWN_TOOL, "SBX_E_UNKNOWN_TOOL"},
        {SBX_E_UNKNOWN_DIALECT, "SBX_E_UNKNOWN_DIALECT"},
        {SBX_E_OUT_OF_MEMORY, "SBX_E_OUT_OF_MEMORY"},
        {SBX_E_INTERNAL, "SBX_E_INTERNAL"},
        {SBX_E_UNKNOWN_SESSION, "SBX_E_UNKNOWN_SESSION"},
        {SBX_E_SESSION_LIMIT, "SBX_E_SESSION_LIMIT"},
    };
    for (const auto &[status, name] : names)
        EXPECT_STREQ(api().status_name(status), name);
}

TEST(Errors, AnUnknownStatusStillHasAName) {
    for (const sbx_status status : {1, -15, -1000, INT32_MIN}) {
        const char *name = api().status_name(status);
        ASSERT_NE(name, nullptr) << status;
        EXPECT_STRNE(name, "") << status;
    }
}

} // namespace
