// The documents a sandbox returns without running anything match their
// schemas in abi/schemas.
#include "plugin.hpp"

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include <set>

namespace {
using namespace sbx::abi_test;
namespace json = boost::json;

const std::vector<std::string> no_errors;

std::string tools_json(const Sandbox &sb, const char *dialect) {
    Out tools, error;
    EXPECT_EQ(api().tools(tools.ptr(), sb.get(), dialect, error.ptr()), SBX_OK) << error.str();
    return tools.str();
}

// The tool names of a dialect's document.
std::set<std::string> tool_names(const Sandbox &sb, const char *dialect) {
    std::set<std::string> names;
    const json::value doc = json::parse(tools_json(sb, dialect));
    for (const json::value &tool : doc.at("tools").as_array()) {
        const json::value &named = std::string_view(dialect) == "openai" ? tool.at("function") : tool;
        names.emplace(named.at("name").as_string());
    }
    return names;
}

TEST(Documents, LanguagesMatchTheirSchemaAndHoldTheSeedsEight) {
    Sandbox sb;
    Out languages, error;
    ASSERT_EQ(api().languages(languages.ptr(), sb.get(), error.ptr()), SBX_OK) << error.str();
    EXPECT_EQ(schema_errors("languages.json", languages.get()), no_errors);
    const json::value doc = json::parse(languages.get());
    std::set<std::string> names;
    for (const json::value &language : doc.at("languages").as_array())
        names.emplace(language.at("name").as_string());
    for (const char *seed : {"python", "javascript", "java", "c", "cpp", "go", "rust", "bash"})
        EXPECT_TRUE(names.contains(seed)) << seed;
}

class ToolsDialect : public testing::TestWithParam<const char *> {};

TEST_P(ToolsDialect, MatchesItsSchema) {
    Sandbox sb;
    const std::string doc = tools_json(sb, GetParam());
    EXPECT_EQ(schema_errors("tools." + std::string(GetParam()) + ".json", doc.c_str()), no_errors);
}

TEST_P(ToolsDialect, OffersTheSameToolsAsMcp) {
    Sandbox sb;
    const std::set<std::string> names = tool_names(sb, GetParam());
    EXPECT_FALSE(names.empty());
    EXPECT_EQ(names, tool_names(sb, "mcp"));
}

INSTANTIATE_TEST_SUITE_P(Documents, ToolsDialect, testing::Values("mcp", "openai", "anthropic"),
                         [](const testing::TestParamInfo<const char *> &info) {
                             return std::string(info.param);
                         });

// Arguments a model got wrong come back as a readable tool result.
TEST(Documents, EveryToolAnswersBadArgumentsWithAnErrorResult) {
    Sandbox sb;
    for (const std::string &name : tool_names(sb, "mcp")) {
        for (const char *arguments : {"[]", "{not json"}) {
            Out result, error;
            ASSERT_EQ(api().call_tool(result.ptr(), sb.get(), name.c_str(), arguments, nullptr,
                                      error.ptr()),
                      SBX_OK)
                << name << " " << arguments << ": " << error.str();
            EXPECT_EQ(schema_errors("tool_result.json", result.get()), no_errors);
            const json::value doc = json::parse(result.get());
            EXPECT_TRUE(doc.at("isError").as_bool()) << name << " " << arguments;
            EXPECT_NE(doc.at("content").at(0).at("text").as_string(), "") << name;
        }
    }
}

} // namespace
