// The JSON Schema validator of tests/support, keyword by keyword.
#include "support/json_schema.hpp"

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <vector>

namespace {
namespace json = boost::json;

std::vector<std::string> errors(std::string_view schema, std::string_view doc) {
    return sbx::test::validate(json::parse(schema), json::parse(doc));
}

bool valid(std::string_view schema, std::string_view doc) { return errors(schema, doc).empty(); }

TEST(JsonSchema, TypeNames) {
    EXPECT_TRUE(valid(R"({"type":"string"})", R"("a")"));
    EXPECT_FALSE(valid(R"({"type":"string"})", "1"));
    EXPECT_TRUE(valid(R"({"type":"boolean"})", "false"));
    EXPECT_FALSE(valid(R"({"type":"boolean"})", "0"));
    EXPECT_TRUE(valid(R"({"type":"null"})", "null"));
    EXPECT_FALSE(valid(R"({"type":"null"})", R"("")"));
    EXPECT_TRUE(valid(R"({"type":"object"})", "{}"));
    EXPECT_FALSE(valid(R"({"type":"object"})", "[]"));
    EXPECT_TRUE(valid(R"({"type":"array"})", "[]"));
    EXPECT_FALSE(valid(R"({"type":"array"})", "{}"));
    EXPECT_TRUE(valid(R"({"type":"number"})", "-2.5"));
    EXPECT_FALSE(valid(R"({"type":"number"})", R"("1")"));
}

TEST(JsonSchema, IntegerIsANumberWithoutFraction) {
    EXPECT_TRUE(valid(R"({"type":"integer"})", "3"));
    EXPECT_TRUE(valid(R"({"type":"integer"})", "18446744073709551615"));
    EXPECT_TRUE(valid(R"({"type":"integer"})", "3.0"));
    EXPECT_FALSE(valid(R"({"type":"integer"})", "3.5"));
    EXPECT_FALSE(valid(R"({"type":"integer"})", R"("3")"));
}

TEST(JsonSchema, TypeArrayAcceptsAnyOfItsTypes) {
    EXPECT_TRUE(valid(R"({"type":["string","null"]})", "null"));
    EXPECT_TRUE(valid(R"({"type":["string","null"]})", R"("x")"));
    EXPECT_FALSE(valid(R"({"type":["string","null"]})", "false"));
}

TEST(JsonSchema, PropertiesApplyToPresentMembersOnly) {
    const char *schema = R"({"properties":{"a":{"type":"integer"}}})";
    EXPECT_TRUE(valid(schema, R"({"a":1})"));
    EXPECT_TRUE(valid(schema, R"({"b":"x"})"));
    EXPECT_TRUE(valid(schema, "[]"));
    EXPECT_FALSE(valid(schema, R"({"a":"1"})"));
}

TEST(JsonSchema, Required) {
    const char *schema = R"({"required":["a","b"]})";
    EXPECT_TRUE(valid(schema, R"({"a":null,"b":0})"));
    EXPECT_EQ(errors(schema, R"({"a":1})"), std::vector<std::string>{"#/b: required but missing"});
}

TEST(JsonSchema, AdditionalPropertiesFalse) {
    const char *schema = R"({"properties":{"a":{}},"additionalProperties":false})";
    EXPECT_TRUE(valid(schema, R"({"a":1})"));
    EXPECT_FALSE(valid(schema, R"({"a":1,"b":2})"));
}

TEST(JsonSchema, AdditionalPropertiesSchema) {
    const char *schema = R"({"additionalProperties":{"type":"string"}})";
    EXPECT_TRUE(valid(schema, R"({"a":"x","b":"y"})"));
    EXPECT_FALSE(valid(schema, R"({"a":"x","b":2})"));
}

TEST(JsonSchema, Items) {
    const char *schema = R"({"items":{"type":"string"}})";
    EXPECT_TRUE(valid(schema, R"(["a","b"])"));
    EXPECT_EQ(errors(schema, R"(["a",2])"), std::vector<std::string>{"#/1: expected string, got 2"});
}

TEST(JsonSchema, Enum) {
    const char *schema = R"({"enum":["a",1,null]})";
    EXPECT_TRUE(valid(schema, R"("a")"));
    EXPECT_TRUE(valid(schema, "1.0"));
    EXPECT_TRUE(valid(schema, "null"));
    EXPECT_FALSE(valid(schema, R"("b")"));
    EXPECT_FALSE(valid(schema, R"("1")"));
}

TEST(JsonSchema, ConstComparesByValue) {
    EXPECT_TRUE(valid(R"({"const":{"a":[1,2]}})", R"({"a":[1.0,2]})"));
    EXPECT_FALSE(valid(R"({"const":{"a":[1,2]}})", R"({"a":[2,1]})"));
    EXPECT_FALSE(valid(R"({"const":{"a":1}})", R"({"a":1,"b":1})"));
    EXPECT_FALSE(valid(R"({"const":-1})", "18446744073709551615"));
    EXPECT_FALSE(valid(R"({"const":"x"})", R"("y")"));
}

TEST(JsonSchema, MinimumMaximumExclusiveMinimum) {
    EXPECT_TRUE(valid(R"({"minimum":1})", "1"));
    EXPECT_FALSE(valid(R"({"minimum":1})", "0.5"));
    EXPECT_TRUE(valid(R"({"maximum":1})", "1"));
    EXPECT_FALSE(valid(R"({"maximum":1})", "1.5"));
    EXPECT_TRUE(valid(R"({"exclusiveMinimum":0})", "0.001"));
    EXPECT_FALSE(valid(R"({"exclusiveMinimum":0})", "0"));
    EXPECT_TRUE(valid(R"({"minimum":1})", R"("not a number")"));
}

TEST(JsonSchema, LengthsCountCodePoints) {
    EXPECT_TRUE(valid(R"({"minLength":1})", R"("é")"));
    EXPECT_FALSE(valid(R"({"minLength":1})", R"("")"));
    EXPECT_TRUE(valid(R"({"maxLength":2})", R"("éé")"));
    EXPECT_FALSE(valid(R"({"maxLength":2})", R"("abc")"));
}

TEST(JsonSchema, PatternSearchesUnanchored) {
    EXPECT_TRUE(valid(R"({"pattern":"b+"})", R"("abbc")"));
    EXPECT_FALSE(valid(R"({"pattern":"^b+$"})", R"("abbc")"));
    EXPECT_TRUE(valid(R"({"pattern":"^[a-z_-]{1,3}$"})", R"("a-b")"));
    EXPECT_FALSE(valid(R"({"pattern":"^[a-z_-]{1,3}$"})", R"("a b")"));
}

TEST(JsonSchema, AnyOf) {
    const char *schema = R"({"anyOf":[{"type":"string"},{"minimum":0}]})";
    EXPECT_TRUE(valid(schema, R"("x")"));
    EXPECT_TRUE(valid(schema, "3"));
    EXPECT_FALSE(valid(schema, "-3"));
}

TEST(JsonSchema, OneOfWantsExactlyOne) {
    const char *schema = R"({"oneOf":[{"type":"integer"},{"minimum":0}]})";
    EXPECT_TRUE(valid(schema, "-3"));
    EXPECT_TRUE(valid(schema, "0.5"));
    EXPECT_FALSE(valid(schema, "3"));
    EXPECT_FALSE(valid(schema, "-0.5"));
}

TEST(JsonSchema, RefToDefs) {
    const char *schema = R"({"$defs":{"name":{"type":"string"}},
                             "properties":{"a":{"$ref":"#/$defs/name"}}})";
    EXPECT_TRUE(valid(schema, R"({"a":"x"})"));
    EXPECT_EQ(errors(schema, R"({"a":1})"), std::vector<std::string>{"#/a: expected string, got 1"});
}

TEST(JsonSchema, BooleanSchemas) {
    EXPECT_TRUE(valid("true", "1"));
    EXPECT_FALSE(valid("false", "1"));
}

TEST(JsonSchema, AnnotationsAreIgnored) {
    EXPECT_TRUE(valid(R"({"$schema":"https://json-schema.org/draft/2020-12/schema","$id":"x",
                         "title":"t","description":"d","default":1,"examples":[],"$comment":""})",
                      "1"));
}

TEST(JsonSchema, ErrorsCarryEscapedJsonPointers) {
    const char *schema = R"({"properties":{"a":{"items":{"properties":{"b/c~":{"type":"string"}}}}}})";
    EXPECT_EQ(errors(schema, R"({"a":[{"b/c~":1}]})"),
              std::vector<std::string>{"#/a/0/b~1c~0: expected string, got 1"});
}

TEST(JsonSchema, MalformedSchemaThrowsWhereverItIs) {
    const std::vector<const char *> schemas{
        R"({"properties":{"unused":{"minItems":1}}})",     // unsupported keyword
        R"({"$defs":{"x":{"format":"uri"}}})",             // unsupported keyword in $defs
        R"({"properties":{"a":{"$ref":"#/$defs/none"}}})", // $ref to nothing
        R"({"$ref":"other.json#/$defs/x"})",               // $ref outside the document
        R"({"type":"text"})",                              // unknown type
        R"({"pattern":"("})",                              // invalid regular expression
        R"({"required":"a"})",                             // required is not an array
        R"({"oneOf":[]})",                                 // no alternatives
        R"(1)",                                            // not a schema
    };
    for (const char *schema : schemas)
        EXPECT_THROW(errors(schema, "{}"), std::invalid_argument) << schema;
}

} // namespace
