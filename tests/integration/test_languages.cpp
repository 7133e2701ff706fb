// Every language of the table, in the real engine: hello world, stdin echo,
// a runtime error, a compile error for compiled languages, and the table's
// own test case.
#include "integration/client.hpp"

#include <sbx/sbx.h>

namespace sbx::test {
namespace {

struct LanguageCase {
    std::string name;
    bool compiled = false;
    std::string test_code, test_stdin, test_expected;
};

std::vector<LanguageCase> table() {
    const std::filesystem::path dir = std::filesystem::path(SBX_TEST_SOURCE_DIR) / "languages";
    std::vector<LanguageCase> cases;
    for (const auto &e : std::filesystem::directory_iterator(dir)) {
        if (e.path().extension() != ".json")
            continue;
        const json::object doc = json::parse(read_text(e.path())).as_object();
        const json::object &t = doc.at("test").as_object();
        cases.push_back({std::string(doc.at("name").as_string()), doc.at("compile").is_array(),
                         std::string(t.at("code").as_string()),
                         t.contains("stdin") ? std::string(t.at("stdin").as_string()) : "",
                         std::string(t.at("expected_stdout").as_string())});
    }
    std::sort(cases.begin(), cases.end(),
              [](const LanguageCase &a, const LanguageCase &b) { return a.name < b.name; });
    return cases;
}

class Language : public SharedClient, public ::testing::WithParamInterface<LanguageCase> {
protected:

    json::object run(const std::string &code, const std::string &stdin_data = "") {
        json::object request{{"language", GetParam().name}, {"code", code}};
        if (!stdin_data.empty())
            request["stdin"] = stdin_data;
        return client_->run(request);
    }

    std::string required_program(const std::string &kind) {
        const std::string code = program(GetParam().name, kind);
        if (code.empty())
            ADD_FAILURE() << "tests/programs/" << GetParam().name << "/" << kind
                          << ".* is missing: every language needs one";
        return code;
    }
};

TEST_P(Language, HelloWorld) {
    const json::object r = run(required_program("hello"));
    EXPECT_EQ(str(r, "status"), "success") << dump(r);
    EXPECT_EQ(str(r, "stdout"), "Hello, world!\n") << dump(r);
    EXPECT_EQ(r.at("exit_code").as_int64(), 0) << dump(r);
}

TEST_P(Language, EchoesStdin) {
    const std::string input = "line one\nline two with ünïcode\n";
    const json::object r = run(required_program("echo"), input);
    EXPECT_EQ(str(r, "status"), "success") << dump(r);
    EXPECT_EQ(str(r, "stdout"), input) << dump(r);
}

TEST_P(Language, RuntimeErrorIsExecutionError) {
    const json::object r = run(required_program("runtime_error"));
    EXPECT_EQ(str(r, "status"), "execution_error") << dump(r);
    EXPECT_EQ(r.at("exit_code").as_int64(), 3) << dump(r);
}

TEST_P(Language, CompileErrorCarriesTheCompilersMessage) {
    if (!GetParam().compiled) {
        EXPECT_TRUE(program(GetParam().name, "compile_error").empty())
            << "an interpreted language has no compile_error program";
        return;
    }
    const json::object r = run(required_program("compile_error"));
    EXPECT_EQ(str(r, "status"), "compile_error") << dump(r);
    ASSERT_TRUE(r.at("compile").is_object()) << dump(r);
    const json::object &c = r.at("compile").as_object();
    EXPECT_NE(c.at("exit_code").as_int64(), 0) << dump(r);
    EXPECT_FALSE(str(c, "stdout").empty() && str(c, "stderr").empty())
        << "no compiler message: " << dump(r);
    EXPECT_TRUE(r.at("exit_code").is_null()) << dump(r);
}

TEST_P(Language, TableTestCase) {
    const json::object r = run(GetParam().test_code, GetParam().test_stdin);
    EXPECT_EQ(str(r, "status"), "success") << dump(r);
    EXPECT_EQ(str(r, "stdout"), GetParam().test_expected) << dump(r);
}

INSTANTIATE_TEST_SUITE_P(Table, Language, ::testing::ValuesIn(table()),
                         [](const auto &info) { return info.param.name; });

} // namespace
} // namespace sbx::test
