// Request validation: every field with a wrong type and with an out-of-range
// value is refused with the field named.
#include "runner/request.hpp"
#include "util/error.hpp"

#include <boost/json.hpp>
#include <gtest/gtest.h>

namespace sbx::runner {
namespace {

namespace json = boost::json;

class RequestTest : public ::testing::Test {
protected:
    languages::Registry registry = languages::Registry::builtin();
    Config config;

    Request parse(const json::object &fields) {
        json::object doc{{"language", "python"}, {"code", "print(1)"}};
        for (const auto &f : fields)
            doc[f.key()] = f.value();
        return parse_request(json::value(doc), registry, config);
    }

    // Expects a refusal whose message starts with the field's name.
    void refused(const json::object &fields, sbx_status code, const std::string &field) {
        try {
            parse(fields);
            ADD_FAILURE() << "accepted " << json::serialize(fields);
        } catch (const ApiError &e) {
            EXPECT_EQ(e.code, code) << e.what();
            EXPECT_EQ(std::string(e.what()).rfind(field + ":", 0), 0u)
                << "message does not start with " << field << ": " << e.what();
        }
    }
};

TEST_F(RequestTest, DefaultsComeFromTheConfig) {
    const Request q = parse({});
    EXPECT_EQ(q.language->name, "python");
    EXPECT_EQ(q.limits.time_s, 30);
    EXPECT_EQ(q.limits.memory_mb, 256);
    EXPECT_EQ(q.limits.cpus, 0.5);
    EXPECT_EQ(q.limits.pids, 64);
    EXPECT_EQ(q.limits.max_output_bytes, 100000);
    EXPECT_FALSE(q.network);
}

TEST_F(RequestTest, WrongTypesNameTheField) {
    const std::vector<std::pair<json::object, std::string>> cases{
        {{{"language", 1}}, "language"},
        {{{"code", json::array{}}}, "code"},
        {{{"stdin", 5}}, "stdin"},
        {{{"args", "x"}}, "args"},
        {{{"args", json::array{1}}}, "args[0]"},
        {{{"env", json::array{}}}, "env"},
        {{{"env", json::object{{"A", 1}}}}, "env.A"},
        {{{"files", json::object{}}}, "files"},
        {{{"files", json::array{1}}}, "files[0]"},
        {{{"files", json::array{json::object{{"path", 1}, {"content", ""}}}}}, "files[0].path"},
        {{{"files", json::array{json::object{{"path", "a"}, {"content", 1}}}}}, "files[0].content"},
        {{{"limits", "fast"}}, "limits"},
        {{{"limits", json::object{{"time_s", "1"}}}}, "limits.time_s"},
        {{{"limits", json::object{{"compile_time_s", true}}}}, "limits.compile_time_s"},
        {{{"limits", json::object{{"memory_mb", 1.5}}}}, "limits.memory_mb"},
        {{{"limits", json::object{{"cpus", "half"}}}}, "limits.cpus"},
        {{{"limits", json::object{{"pids", json::array{}}}}}, "limits.pids"},
        {{{"limits", json::object{{"max_output_bytes", "1k"}}}}, "limits.max_output_bytes"},
        {{{"limits", json::object{{"disk_mb", json::object{}}}}}, "limits.disk_mb"},
        {{{"network", "no"}}, "network"},
        {{{"session_id", 3}}, "session_id"},
        {{{"session_id", ""}}, "session_id"},
        {{{"collect", "*.png"}}, "collect"},
        {{{"collect", json::array{"ok", 3}}}, "collect[1]"},
        {{{"collect", json::array{"/abs"}}}, "collect[0]"},
        {{{"collect", json::array{"a/../b"}}}, "collect[0]"},
    };
    for (const auto &[fields, field] : cases)
        refused(fields, SBX_E_INVALID_REQUEST, field);
}

TEST_F(RequestTest, SessionAndCollectAreRead) {
    const Request q = parse({{"session_id", "s-1"}, {"collect", json::array{"out/**/*.png", "a\\*b"}}});
    EXPECT_EQ(q.session_id, "s-1");
    EXPECT_EQ(q.collect, (std::vector<std::string>{"out/**/*.png", "a\\*b"}));
    EXPECT_TRUE(parse({}).collect.empty());
}

TEST_F(RequestTest, ASessionsLimitsAreTheDefaultsOfItsRuns) {
    Limits base = config.defaults;
    base.memory_mb = 128;
    base.time_s = 5;
    const Request q = parse_request(json::value(json::object{{"language", "python"}, {"code", ""},
                                                             {"limits", {{"time_s", 2}}}}),
                                    registry, config, &base);
    EXPECT_EQ(q.limits.memory_mb, 128);
    EXPECT_EQ(q.limits.time_s, 2);
}

TEST_F(RequestTest, OutOfRangeValuesNameTheField) {
    const std::vector<std::pair<std::string, json::value>> below{
        {"time_s", 0},   {"compile_time_s", -1}, {"memory_mb", 1},      {"cpus", 0},
        {"pids", 0},     {"max_output_bytes", 0}, {"disk_mb", 0}};
    for (const auto &[key, value] : below)
        refused({{"limits", json::object{{key, value}}}}, SBX_E_INVALID_REQUEST, "limits." + key);
    const std::vector<std::pair<std::string, json::value>> above{
        {"time_s", 301},  {"compile_time_s", 1e9},       {"memory_mb", 4097}, {"cpus", 2.5},
        {"pids", 100000}, {"max_output_bytes", 10000001}, {"disk_mb", 1025}};
    for (const auto &[key, value] : above)
        refused({{"limits", json::object{{key, value}}}}, SBX_E_LIMIT_EXCEEDED, "limits." + key);
}

TEST_F(RequestTest, LimitsWithinTheMaximaAreApplied) {
    const Request q = parse({{"limits", json::object{{"time_s", 2.5}, {"memory_mb", 64},
                                                     {"cpus", 1}, {"max_output_bytes", 10}}}});
    EXPECT_EQ(q.limits.time_s, 2.5);
    EXPECT_EQ(q.limits.memory_mb, 64);
    EXPECT_EQ(q.limits.cpus, 1);
    EXPECT_EQ(q.limits.max_output_bytes, 10);
}

TEST_F(RequestTest, ConfigMaximaAreEnforced) {
    config.max.limits.time_s = 10;
    refused({{"limits", json::object{{"time_s", 11}}}}, SBX_E_LIMIT_EXCEEDED, "limits.time_s");
    config.max.code_bytes = 5;
    refused({{"code", "123456"}}, SBX_E_LIMIT_EXCEEDED, "code");
    EXPECT_NO_THROW(parse({{"code", "12345"}, {"limits", json::object{{"time_s", 10}}}}));
}

TEST_F(RequestTest, MissingAndUnknownLanguage) {
    EXPECT_THROW(parse_request(json::value(json::object{{"code", ""}}), registry, config), ApiError);
    refused({{"language", "klingon"}}, SBX_E_UNKNOWN_LANGUAGE, "language");
    try {
        parse_request(json::value(json::object{{"language", "python"}}), registry, config);
        FAIL();
    } catch (const ApiError &e) {
        EXPECT_EQ(std::string(e.what()).rfind("code:", 0), 0u) << e.what();
    }
}

TEST_F(RequestTest, NotAnObjectOrNotJson) {
    EXPECT_THROW(parse_request(json::value(json::array{}), registry, config), ApiError);
    try {
        parse_request(std::string_view("{\"language\":"), registry, config);
        FAIL();
    } catch (const ApiError &e) {
        EXPECT_EQ(e.code, SBX_E_INVALID_JSON);
    }
}

TEST_F(RequestTest, EmbeddedNulIsRefusedWhereItCannotPass) {
    refused({{"code", std::string("a\0b", 3)}}, SBX_E_INVALID_REQUEST, "code");
    refused({{"args", json::array{std::string("a\0b", 3)}}}, SBX_E_INVALID_REQUEST, "args[0]");
    EXPECT_EQ(parse({{"stdin", std::string("a\0b", 3)}}).stdin_data, std::string("a\0b", 3));
}

TEST_F(RequestTest, FilePathsAreRelativeUniqueAndInside) {
    const auto file = [](const char *path) {
        return json::object{{"files", json::array{json::object{{"path", path}, {"content", "x"}}}}};
    };
    refused(file("/etc/passwd"), SBX_E_INVALID_REQUEST, "files[0].path");
    refused(file("../x"), SBX_E_INVALID_REQUEST, "files[0].path");
    refused(file("a/../../x"), SBX_E_INVALID_REQUEST, "files[0].path");
    refused(file(""), SBX_E_INVALID_REQUEST, "files[0].path");
    refused(file("main.py"), SBX_E_INVALID_REQUEST, "files[0].path");
    EXPECT_EQ(parse(file("./dir//x.py")).files.at(0).path, "dir/x.py");
    refused({{"files", json::array{json::object{{"path", "a"}, {"content", ""}},
                                   json::object{{"path", "./a"}, {"content", ""}}}}},
            SBX_E_INVALID_REQUEST, "files[1].path");
}

TEST_F(RequestTest, Base64FilesAreDecoded) {
    const Request q = parse({{"files", json::array{json::object{
                                           {"path", "b"}, {"content", "AAH/"}, {"encoding", "base64"}}}}});
    EXPECT_EQ(q.files.at(0).content, std::string("\x00\x01\xff", 3));
    refused({{"files", json::array{json::object{
                 {"path", "b"}, {"content", "!!"}, {"encoding", "base64"}}}}},
            SBX_E_INVALID_REQUEST, "files[0].content");
    refused({{"files", json::array{json::object{
                 {"path", "b"}, {"content", ""}, {"encoding", "rot13"}}}}},
            SBX_E_INVALID_REQUEST, "files[0].encoding");
}

TEST_F(RequestTest, EnvNamesAreChecked) {
    refused({{"env", json::object{{"1BAD", "x"}}}}, SBX_E_INVALID_REQUEST, "env");
    refused({{"env", json::object{{"A=B", "x"}}}}, SBX_E_INVALID_REQUEST, "env");
    EXPECT_EQ(parse({{"env", json::object{{"GOOD_1", "v"}}}}).env.at("GOOD_1"), "v");
}

TEST_F(RequestTest, NetworkNeedsTheConfigsPermission) {
    refused({{"network", true}}, SBX_E_INVALID_REQUEST, "network");
    config.allow_network = true;
    EXPECT_TRUE(parse({{"network", true}}).network);
}

TEST_F(RequestTest, LanguageFloorsRaiseTheDefaultsButNotPastTheMax) {
    languages::Language *java = const_cast<languages::Language *>(registry.find("java"));
    java->limits.memory_mb_min = 512;
    java->limits.pids_min = 128;
    config.max.limits.memory_mb = 400;
    const Request q = parse_request(json::value(json::object{{"language", "java"}, {"code", ""}}),
                                    registry, config);
    EXPECT_EQ(q.limits.memory_mb, 400);
    EXPECT_EQ(q.limits.pids, 128);
}

// Integers at and past int64's edge: always "above the maximum", never an
// out-of-range cast (INT64_MAX as a double is 2^63, one past int64_t).
TEST_F(RequestTest, HugeIntegerLimitsAreAboveTheMaximum) {
    config.max.limits.memory_mb = std::numeric_limits<int64_t>::max();
    for (const json::value &v :
         {json::value(std::numeric_limits<int64_t>::max()),
          json::value(std::numeric_limits<uint64_t>::max()), json::value(9223372036854775808.0),
          json::value(1e300)})
        refused({{"limits", json::object{{"memory_mb", v}}}}, SBX_E_LIMIT_EXCEEDED,
                "limits.memory_mb");
    EXPECT_EQ(parse({{"limits", json::object{{"memory_mb", 9007199254740992.0}}}}).limits.memory_mb,
              9007199254740992);
}

TEST_F(RequestTest, DuplicateKeysAndNumbersPastDoubleAreRefusedByName) {
    const auto refused_text = [&](const std::string &text, const std::string &field) {
        try {
            parse_request(std::string_view(text), registry, config);
            ADD_FAILURE() << "accepted " << text;
        } catch (const ApiError &e) {
            EXPECT_EQ(e.code, SBX_E_INVALID_JSON) << e.what();
            EXPECT_EQ(std::string(e.what()).rfind(field + ":", 0), 0u) << e.what();
        }
    };
    refused_text(R"({"language": "python", "code": "", "code": "x"})", "code");
    refused_text(R"({"language": "python", "code": "", "limits": {"time_s": 1, "time_s": 900}})",
                 "limits.time_s");
    refused_text(R"({"language": "python", "code": "", "files": [{}, {"path": "a", "path": "b"}]})",
                 "files[1].path");
    refused_text(R"({"language": "python", "code": "", "limits": {"time_s": 1e400}})",
                 "limits.time_s");
    refused_text("[1, -1e999]", "request[1]");
    refused_text("1e999", "request");
    // The same key in different objects is fine.
    EXPECT_NO_THROW(parse_request(
        std::string_view(R"({"language": "python", "code": "", "x": {"code": 1}, "y": [{"a": 1}, {"a": 2}]})"),
        registry, config));
}

TEST_F(RequestTest, AFileCannotBeTheDirectoryOfAnother) {
    const auto files = [](std::initializer_list<const char *> paths) {
        json::array list;
        for (const char *p : paths)
            list.push_back(json::object{{"path", p}, {"content", ""}});
        return json::object{{"files", list}};
    };
    refused(files({"a", "a/b"}), SBX_E_INVALID_REQUEST, "files[1].path");
    refused(files({"a/b/c", "a/b"}), SBX_E_INVALID_REQUEST, "files[1].path");
    refused(files({"main.py/x"}), SBX_E_INVALID_REQUEST, "files[0].path");
    EXPECT_EQ(parse(files({"a/b", "a/c", "a/d/e", "ab"})).files.size(), 4u);
}

TEST_F(RequestTest, NulPassesWhereTheFieldIsBytes) {
    const Request q = parse({{"stdin", std::string("\0", 1)},
                             {"files", json::array{json::object{
                                           {"path", "b"}, {"content", std::string("x\0y", 3)}}}}});
    EXPECT_EQ(q.stdin_data, std::string("\0", 1));
    EXPECT_EQ(q.files.at(0).content, std::string("x\0y", 3));
}

} // namespace
} // namespace sbx::runner
