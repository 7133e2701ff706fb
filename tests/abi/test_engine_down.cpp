// Without a reachable engine a sandbox still works: runs report setup_error
// in a full result, the code tool an error a model can read, and sbx_health
// says why.
#include "plugin.hpp"

#include <boost/json.hpp>
#include <gtest/gtest.h>

namespace {
using namespace sbx::abi_test;
namespace json = boost::json;

const std::vector<std::string> no_errors;

TEST(EngineDown, CreateSucceeds) {
    sbx_sandbox *sb = nullptr;
    Out error;
    EXPECT_EQ(api().create(&sb, unreachable_engine_config, nullptr, error.ptr()), SBX_OK)
        << error.str();
    EXPECT_NE(sb, nullptr);
    EXPECT_EQ(error.get(), nullptr);
    api().destroy(sb);
}

TEST(EngineDown, ExecuteReturnsASetupErrorResult) {
    Sandbox sb;
    Out result, error;
    ASSERT_EQ(api().execute(result.ptr(), sb.get(),
                            R"j({"language": "Python", "code": "print(1)"})j", nullptr,
                            error.ptr()),
              SBX_OK)
        << error.str();
    EXPECT_EQ(schema_errors("execute.result.json", result.get()), no_errors);
    const json::object doc = json::parse(result.get()).as_object();
    EXPECT_EQ(doc.at("status").as_string(), "setup_error");
    EXPECT_EQ(doc.at("language").as_string(), "python");
    ASSERT_TRUE(doc.at("error_message").is_string());
    EXPECT_NE(doc.at("error_message").as_string(), "");
}

// The tool that runs code is the one whose input has a "code" property.
std::string code_tool(const Sandbox &sb) {
    Out tools;
    EXPECT_EQ(api().tools(tools.ptr(), sb.get(), "mcp", nullptr), SBX_OK);
    const json::value doc = json::parse(tools.str());
    for (const json::value &tool : doc.at("tools").as_array())
        if (tool.at("inputSchema").at("properties").as_object().contains("code"))
            return std::string(tool.at("name").as_string());
    ADD_FAILURE() << "no tool takes \"code\": " << tools.str();
    return {};
}

TEST(EngineDown, TheCodeToolReportsAToolError) {
    Sandbox sb;
    Out result, error;
    ASSERT_EQ(api().call_tool(result.ptr(), sb.get(), code_tool(sb).c_str(),
                              R"j({"language": "python", "code": "print(1)"})j", nullptr,
                              error.ptr()),
              SBX_OK)
        << error.str();
    EXPECT_EQ(schema_errors("tool_result.json", result.get()), no_errors);
    EXPECT_TRUE(json::parse(result.get()).at("isError").as_bool()) << result.get();
}

TEST(EngineDown, HealthFailsButStillReports) {
    Sandbox sb;
    Out health, error;
    EXPECT_EQ(api().health(health.ptr(), sb.get(), error.ptr()), SBX_E_ENGINE_UNAVAILABLE);
    EXPECT_NE(error.str(), "");
    EXPECT_EQ(schema_errors("health.json", health.get()), no_errors);
    ASSERT_NE(health.get(), nullptr);
    const json::object doc = json::parse(health.get()).as_object();
    EXPECT_FALSE(doc.at("ok").as_bool());
    EXPECT_FALSE(doc.at("engine").at("reachable").as_bool());
    EXPECT_TRUE(doc.at("engine").at("error").is_string());
}

} // namespace
