// Without a reachable engine a sandbox still works: runs report setup_error
// in a full result, and sbx_health says why.
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
                            R"({"language": "Python", "code": "print(1)"})", nullptr,
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
