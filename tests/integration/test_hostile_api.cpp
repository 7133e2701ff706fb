// Hostile input to the API, through the C ABI: every request field with a
// wrong type, an out-of-range value, a missing value, an over-long string and
// an embedded NUL; malformed JSON of every kind; unknown languages; oversized
// code; bad file paths. Each must come back as a negative status with a
// message that starts with the field's name, nothing may crash, and no
// container may be created: the engine's list of containers owned by this
// process is the same before and after.
#include "docker/engine.hpp"
#include "integration/client.hpp"
#include "sandbox/owner.hpp"
#include "util/url.hpp"

#include <functional>
#include <iostream>

namespace sbx::test {
namespace {

using namespace std::chrono_literals;

// The sandbox under attack: no warm pool (it would create containers of its
// own), a small code maximum so "over the maximum" stays cheap.
constexpr const char *hostile_config =
    R"({"pool": {"size": 0}, "max": {"time_s": 60, "code_bytes": 1000}})";
constexpr int64_t code_max = 1000;

// Ids of every container of ours owned by this process, running or not.
std::vector<std::string> our_containers(docker::Engine &engine) {
    const std::string filters = json::serialize(json::object{
        {"label", json::array{"org.sbx.managed", "org.sbx.owner=" + current_owner()}}});
    const docker::Response r = engine.checked(
        "GET", "/containers/json?all=1&filters=" + util::url_encode(filters), std::nullopt, 10s);
    std::vector<std::string> ids;
    const json::value list = r.json();
    for (const json::value &c : list.as_array())
        ids.emplace_back(c.at("Id").as_string());
    return ids;
}

// A refusal we expect: the message must start with `field` (the field's
// name, or "request" for a document that is not JSON at all). `code` 0
// accepts any negative status.
struct Case {
    std::string text;
    std::string field;
    sbx_status code = 0;
};

class HostileApi : public ::testing::Test {
protected:
    static json::object base() { return {{"language", "python"}, {"code", "print(1)"}}; }

    // The base request with `key` set to `value` (a path: "limits.time_s",
    // "files[0].path" with files[0] = {"path": "a.txt", "content": ""}).
    static std::string with(const std::string &path, const json::value &value) {
        json::object doc = base();
        if (path.rfind("limits.", 0) == 0) {
            doc["limits"] = json::object{{path.substr(7), value}};
        } else if (path.rfind("files[0].", 0) == 0) {
            json::object file{{"path", "a.txt"}, {"content", ""}};
            file[path.substr(9)] = value;
            doc["files"] = json::array{file};
        } else if (path.rfind("env.", 0) == 0) {
            doc["env"] = json::object{{path.substr(4), value}};
        } else if (path == "args[0]") {
            doc["args"] = json::array{value};
        } else {
            doc[path] = value;
        }
        return json::serialize(doc);
    }
    static std::string with(const std::string &path, const std::string &value) {
        return with(path, json::value(json::string_view(value.data(), value.size())));
    }
    static std::string with(const std::string &path, const char *value) {
        return value ? with(path, std::string(value)) : with(path, json::value(nullptr));
    }
    // The base request without `key`.
    static std::string without(const std::string &key) {
        json::object doc = base();
        doc.erase(key);
        return json::serialize(doc);
    }
    static std::string file_without(const std::string &key) {
        json::object file{{"path", "a.txt"}, {"content", ""}};
        file.erase(key);
        json::object doc = base();
        doc["files"] = json::array{file};
        return json::serialize(doc);
    }
    static std::string files(const json::array &list) {
        json::object doc = base();
        doc["files"] = list;
        return json::serialize(doc);
    }

    std::vector<Case> cases;
    void add(std::string text, std::string field, sbx_status code = 0) {
        cases.push_back(Case{std::move(text), std::move(field), code});
    }

    // Wrong types: every JSON kind but the right one (and null where null
    // means "absent" is not a refusal).
    void wrong_types(const std::string &path, const std::string &right) {
        const std::vector<std::pair<std::string, json::value>> kinds{
            {"integer", 7},       {"fraction", 1.5},     {"boolean", true},
            {"string", "seven"},  {"array", json::array{1}}, {"object", json::object{{"a", 1}}},
            {"empty array", json::array{}},              {"empty object", json::object{}},
        };
        for (const auto &[kind, value] : kinds) {
            if (kind == right || (right == "number" && (kind == "integer" || kind == "fraction")) ||
                (right == "integer" && kind == "integer") ||
                (right == "array" && kind.find("array") != std::string::npos) ||
                (right == "object" && kind.find("object") != std::string::npos))
                continue;
            add(with(path, value), path, SBX_E_INVALID_REQUEST);
        }
    }

    // Whether `text` is something to try as execute_code arguments: not JSON
    // or not an object (the same refusal), or an object of the tool's own
    // arguments only.
    static bool tool_arguments(const std::string &text) {
        boost::system::error_code ec;
        const json::value v = json::parse(text, ec);
        if (ec || !v.is_object())
            return true; // "arguments is not valid JSON", "arguments: expected an object"
        for (const auto &entry : v.get_object())
            if (entry.key() != "language" && entry.key() != "code" && entry.key() != "stdin" &&
                entry.key() != "args" && entry.key() != "files")
                return false;
        return true;
    }

    void run_all() {
        docker::Engine engine(docker::default_endpoint());
        const std::vector<std::string> before = our_containers(engine);
        size_t tried = 0;
        const bool verbose = std::getenv("SBX_TEST_VERBOSE") != nullptr; // every answer
        {
            Client client(hostile_config);
            for (const Case &c : cases) {
                const auto [status, message] = client.refuse(c.text);
                ++tried;
                if (verbose)
                    std::cout << status << " " << message.substr(0, 160) << "\n";
                const std::string shown =
                    c.text.size() > 300 ? c.text.substr(0, 300) + "...(" +
                                              std::to_string(c.text.size()) + " bytes)"
                                        : c.text;
                EXPECT_LT(status, 0) << shown << " -> accepted";
                if (c.code != 0)
                    EXPECT_EQ(status, c.code) << shown << " -> " << message;
                EXPECT_EQ(message.rfind(c.field, 0), 0u)
                    << shown << " -> " << message << " (should start with " << c.field << ")";
            }
            // The same inputs as execute_code tool arguments (those the tool
            // takes: language, code, stdin, args, files, or not JSON at all):
            // a tool result with isError and the message, not a status.
            for (const Case &c : cases) {
                if (!tool_arguments(c.text))
                    continue;
                Owned out, error;
                const sbx_status status = sbx_call_tool(&out.p, client.handle(), "execute_code",
                                                        c.text.c_str(), nullptr, &error.p);
                ++tried;
                const std::string field = c.field.rfind("request", 0) == 0
                                              ? "arguments" + c.field.substr(7)
                                              : c.field;
                const std::string shown = c.text.substr(0, 300);
                ASSERT_EQ(status, SBX_OK) << shown << " -> " << error.str();
                const json::value result = json::parse(out.str());
                EXPECT_EQ(result.at("isError"), json::value(true)) << shown << " -> " << out.str();
                const std::string text(result.at("content").at(0).at("text").as_string());
                EXPECT_EQ(text.rfind(field, 0), 0u)
                    << shown << " -> " << text << " (should start with " << field << ")";
            }
            // The same handle still runs nothing bad: it is alive and answers.
            Owned health, error;
            EXPECT_EQ(sbx_health(&health.p, client.handle(), &error.p), SBX_OK) << error.str();
            EXPECT_EQ(our_containers(engine), before) << "a refused request created a container";
        }
        EXPECT_EQ(our_containers(engine), before);
        std::cout << "hostile API inputs tried: " << tried << "\n";
        ::testing::Test::RecordProperty("inputs_tried", static_cast<int>(tried));
    }
};

TEST_F(HostileApi, EveryFieldRefusesWrongTypesRangesMissingLongAndNul) {
    const std::string nul("a\0b", 3);
    const std::string long_257(257, 'x');
    const std::string long_4097(4097, 'x');
    // --- language: required string, at most 256 bytes, a known name
    wrong_types("language", "string");
    add(without("language"), "language", SBX_E_INVALID_REQUEST);
    add(with("language", nullptr), "language", SBX_E_INVALID_REQUEST);
    add(with("language", long_257), "language", SBX_E_INVALID_REQUEST);
    add(with("language", "python" + nul), "language", SBX_E_INVALID_REQUEST);
    add(with("language", std::string(1, '\0')), "language", SBX_E_INVALID_REQUEST);
    for (const char *unknown : {"klingon", "", " python", "python ", "pyth0n", "python3.99",
                                "\xc3\xa9", "../python", "python;rm -rf /", "PYTHON\n"})
        add(with("language", unknown), "language", SBX_E_UNKNOWN_LANGUAGE);
    // --- code: required string, at most max.code_bytes, no NUL
    wrong_types("code", "string");
    add(without("code"), "code", SBX_E_INVALID_REQUEST);
    add(with("code", nullptr), "code", SBX_E_INVALID_REQUEST);
    add(with("code", std::string(code_max + 1, 'x')), "code", SBX_E_LIMIT_EXCEEDED);
    add(with("code", std::string(10 * code_max, '#')), "code", SBX_E_LIMIT_EXCEEDED);
    add(with("code", std::string(2 << 20, 'x')), "code", SBX_E_LIMIT_EXCEEDED);
    add(with("code", "print(1)" + nul), "code", SBX_E_INVALID_REQUEST);
    // --- stdin: a string of bytes (NUL allowed), at most 64 MiB
    wrong_types("stdin", "string");
    add(with("stdin", std::string((64u << 20) + 1, 'i')), "stdin", SBX_E_INVALID_REQUEST);
    // --- args: an array of strings
    wrong_types("args", "array");
    wrong_types("args[0]", "string");
    add(with("args[0]", nullptr), "args[0]", SBX_E_INVALID_REQUEST);
    add(with("args[0]", std::string(32769, 'a')), "args[0]", SBX_E_INVALID_REQUEST);
    add(with("args[0]", nul), "args[0]", SBX_E_INVALID_REQUEST);
    add(with("args", json::array(1025, json::value("a"))), "args", SBX_E_INVALID_REQUEST);
    {
        json::array args{"ok", "ok", 3};
        add(with("args", args), "args[2]", SBX_E_INVALID_REQUEST);
    }
    // --- env: an object of strings with valid names
    wrong_types("env", "object");
    wrong_types("env.NAME", "string");
    add(with("env.NAME", std::string(32769, 'v')), "env.NAME", SBX_E_INVALID_REQUEST);
    add(with("env.NAME", nul), "env.NAME", SBX_E_INVALID_REQUEST);
    for (const std::string &name : {std::string(""), std::string("1ABC"), std::string("A-B"),
                                    std::string("A=B"), std::string("A B"), std::string("\xc3\xa9"),
                                    std::string(257, 'N'), "A" + nul, std::string(1, '\0')})
        add(with("env", json::object{{name, "v"}}), "env", SBX_E_INVALID_REQUEST);
    {
        json::object many;
        for (int i = 0; i < 257; ++i)
            many["V" + std::to_string(i)] = "v";
        add(with("env", many), "env", SBX_E_INVALID_REQUEST);
    }
    // --- network: a boolean, and true is refused (allow_network is false)
    wrong_types("network", "boolean");
    add(with("network", true), "network", SBX_E_INVALID_REQUEST);
    // --- session_id: a string of an open session
    wrong_types("session_id", "string");
    add(with("session_id", ""), "session_id", SBX_E_INVALID_REQUEST);
    add(with("session_id", "s1"), "session_id", SBX_E_UNKNOWN_SESSION);
    add(with("session_id", long_257), "session_id", SBX_E_INVALID_REQUEST);
    add(with("session_id", nul), "session_id", SBX_E_INVALID_REQUEST);
    // --- collect: an array of workspace-relative globs
    wrong_types("collect", "array");
    for (const json::value &pattern : {json::value(""), json::value("/etc/passwd"),
                                       json::value("a/../../b"), json::value(7),
                                       json::value(long_4097), json::value(nul)})
        add(with("collect", json::array{pattern}), "collect[0]", SBX_E_INVALID_REQUEST);
    {
        json::array many;
        for (int i = 0; i < 65; ++i)
            many.push_back(json::value("*.txt"));
        add(with("collect", many), "collect", SBX_E_INVALID_REQUEST);
    }
    // --- limits: an object of numbers between the minimum and the maximum
    wrong_types("limits", "object");
    struct Limit {
        const char *name;
        bool integer;
        double below, above;
    };
    for (const Limit &l : {Limit{"time_s", false, 0.05, 60.5}, Limit{"compile_time_s", false, 0, 301},
                           Limit{"memory_mb", true, 15, 4097}, Limit{"cpus", false, 0.001, 2.5},
                           Limit{"pids", true, 7, 1025}, Limit{"max_output_bytes", true, 0, 1e7 + 1},
                           Limit{"disk_mb", true, 0, 1025}}) {
        const std::string path = std::string("limits.") + l.name;
        wrong_types(path, l.integer ? "integer" : "number");
        add(with(path, l.below), path, SBX_E_INVALID_REQUEST);
        add(with(path, -1), path, SBX_E_INVALID_REQUEST);
        add(with(path, std::numeric_limits<int64_t>::min()), path, SBX_E_INVALID_REQUEST);
        add(with(path, -1e300), path, SBX_E_INVALID_REQUEST);
        add(with(path, l.above), path, SBX_E_LIMIT_EXCEEDED);
        add(with(path, std::numeric_limits<int64_t>::max()), path, SBX_E_LIMIT_EXCEEDED);
        add(with(path, std::numeric_limits<uint64_t>::max()), path, SBX_E_LIMIT_EXCEEDED);
        add(with(path, 1e300), path, SBX_E_LIMIT_EXCEEDED);
        add(with(path, 9.3e18), path, SBX_E_LIMIT_EXCEEDED);
        add(with(path, std::string(long_257)), path, SBX_E_INVALID_REQUEST);
        add(with(path, nul), path, SBX_E_INVALID_REQUEST);
        if (l.integer)
            add(with(path, 64.5), path, SBX_E_INVALID_REQUEST);
    }
    // --- files: an array of {path, content, encoding}
    wrong_types("files", "array");
    add(files(json::array{1}), "files[0]", SBX_E_INVALID_REQUEST);
    add(files(json::array{nullptr}), "files[0]", SBX_E_INVALID_REQUEST);
    add(files(json::array{"a.txt"}), "files[0]", SBX_E_INVALID_REQUEST);
    wrong_types("files[0].path", "string");
    wrong_types("files[0].content", "string");
    wrong_types("files[0].encoding", "string");
    add(file_without("path"), "files[0].path", SBX_E_INVALID_REQUEST);
    add(file_without("content"), "files[0].content", SBX_E_INVALID_REQUEST);
    add(with("files[0].path", nullptr), "files[0].path", SBX_E_INVALID_REQUEST);
    add(with("files[0].content", nullptr), "files[0].content", SBX_E_INVALID_REQUEST);
    add(with("files[0].path", std::string(4097, 'p')), "files[0].path", SBX_E_INVALID_REQUEST);
    add(with("files[0].path", std::string(256, 'p')), "files[0].path", SBX_E_INVALID_REQUEST);
    add(with("files[0].path", "a/" + std::string(300, 'p') + "/b"), "files[0].path",
        SBX_E_INVALID_REQUEST);
    add(with("files[0].path", nul), "files[0].path", SBX_E_INVALID_REQUEST);
    add(with("files[0].encoding", std::string(17, 'e')), "files[0].encoding", SBX_E_INVALID_REQUEST);
    add(with("files[0].encoding", "utf-16"), "files[0].encoding", SBX_E_INVALID_REQUEST);
    add(with("files[0].encoding", "base64" + nul), "files[0].encoding", SBX_E_INVALID_REQUEST);
    for (const char *bad : {"abc", "a===", "!!!!", "YWJj\x01", "YW=j"}) {
        json::object file{{"path", "a.bin"}, {"content", bad}, {"encoding", "base64"}};
        add(files(json::array{file}), "files[0].content", SBX_E_INVALID_REQUEST);
    }
    {
        // Over disk_mb (1 MiB here), one file and several together.
        json::object doc = base();
        doc["limits"] = json::object{{"disk_mb", 1}};
        doc["files"] =
            json::array{json::object{{"path", "big"}, {"content", std::string((1 << 20) + 1, 'c')}}};
        add(json::serialize(doc), "files[0].content", SBX_E_INVALID_REQUEST);
        json::array parts;
        for (int i = 0; i < 3; ++i)
            parts.push_back(json::object{{"path", "part" + std::to_string(i)},
                                         {"content", std::string(400 << 10, 'c')}});
        doc["files"] = parts;
        add(json::serialize(doc), "files", SBX_E_INVALID_REQUEST);
    }
    {
        json::array many(10001, json::object{{"path", "x"}, {"content", ""}});
        add(files(many), "files", SBX_E_INVALID_REQUEST);
    }
    run_all();
}

TEST_F(HostileApi, FilePathsStayInsideTheWorkspace) {
    const std::vector<std::string> bad{
        "/etc/passwd", "/", "//x", "/workspace/a", "..", "../x", "a/../../x", "a/..",
        "./../x",      "a/b/../../..", "", ".", "./", "/./", "////", "..\x2f" "x"};
    for (const std::string &p : bad)
        add(with("files[0].path", p), "files[0].path", SBX_E_INVALID_REQUEST);
    auto file = [](const std::string &p) { return json::object{{"path", p}, {"content", "x"}}; };
    // Duplicates, also after normalisation, and the program's own source file.
    add(files({file("a.txt"), file("a.txt")}), "files[1].path", SBX_E_INVALID_REQUEST);
    add(files({file("a.txt"), file("./a.txt")}), "files[1].path", SBX_E_INVALID_REQUEST);
    add(files({file("d/a.txt"), file("d//a.txt")}), "files[1].path", SBX_E_INVALID_REQUEST);
    add(files({file("d/a.txt"), file("d/./a.txt/")}), "files[1].path", SBX_E_INVALID_REQUEST);
    add(files({file("main.py")}), "files[0].path", SBX_E_INVALID_REQUEST);
    add(files({file("./main.py")}), "files[0].path", SBX_E_INVALID_REQUEST);
    // A file where another file needs a directory, either way round.
    add(files({file("a"), file("a/b")}), "files[1].path", SBX_E_INVALID_REQUEST);
    add(files({file("a/b/c"), file("a/b")}), "files[1].path", SBX_E_INVALID_REQUEST);
    add(files({file("main.py/x")}), "files[0].path", SBX_E_INVALID_REQUEST);
    run_all();
}

TEST_F(HostileApi, MalformedJsonIsRefusedAsSuch) {
    const std::string valid =
        R"j({"language": "python", "code": "print(input())", "stdin": "x\n", "args": ["a"],)j"
        R"( "env": {"A": "1"}, "files": [{"path": "d/u.py", "content": "eA==", "encoding": "base64"}],)"
        R"( "limits": {"time_s": 5, "memory_mb": 64, "cpus": 0.5}, "network": false})";
    // Every truncation of a valid request.
    for (size_t n = 0; n < valid.size(); ++n)
        add(valid.substr(0, n), "request", SBX_E_INVALID_JSON);
    // Not a document, or more than one.
    for (const std::string &text :
         {std::string(" "), std::string("\n\t"), std::string("{"), std::string("}"),
          std::string("{}}"), std::string("{} {}"), std::string("{}x"), valid + ",",
          valid + "[]", std::string("{'language': 'python'}"), std::string("{language: 1}"),
          std::string(R"({"language": "python",})"), std::string(R"({"language" "python"})"),
          std::string(R"({"language": python})"), std::string(R"({"a": NaN})"),
          std::string(R"({"a": Infinity})"), std::string(R"({"a": -Infinity})"),
          std::string(R"({"a": 01})"), std::string(R"({"a": 1.})"), std::string(R"({"a": .5})"),
          std::string(R"({"a": 0x10})"), std::string(R"({"a": +1})"), std::string(R"({"a": 1e})"),
          std::string(R"({"a": --1})"), std::string("// comment\n{}"),
          std::string("{} // comment"), std::string("/* c */{}"), std::string("\xef\xbb\xbf{}"),
          std::string(R"({"a": "\x"})"), std::string(R"({"a": "\u12"})"),
          std::string(R"({"a": "\uZZZZ"})"), std::string("{\"a\": \"tab\there\"}"),
          std::string("{\"a\": \"line\nbreak\"}"), std::string("{\"a\": \"\x01\"}"),
          std::string(R"({"a": "unterminated})"), std::string(R"({"a": tru})"),
          std::string(R"({"a": nul})"), std::string(R"([1, 2,])"), std::string(R"({"a" : [}")")})
        add(text, "request", SBX_E_INVALID_JSON);
    // A raw NUL ends a C string: what the plugin sees is truncated JSON.
    add(std::string(R"({"language": "py)") + '\0' + R"(thon", "code": ""})", "request",
        SBX_E_INVALID_JSON);
    // Invalid UTF-8 bytes in strings, in keys and between tokens; lone
    // surrogate escapes.
    for (const std::string &bytes :
         {std::string("\xff"), std::string("\xfe\xff"), std::string("\xc0\x80"),
          std::string("\xc1\xbf"), std::string("\xe0\x80\x80"), std::string("\xed\xa0\x80"),
          std::string("\xed\xbf\xbf"), std::string("\xf4\x90\x80\x80"), std::string("\xf8\x88\x80\x80\x80"),
          std::string("\xe2\x82"), std::string("\x80"), std::string("\xbf\xbf"),
          std::string("a\xc3"), std::string("\xf0\x9f\x98")}) {
        add(R"({"language": "py)" + bytes + R"(thon", "code": ""})", "request", SBX_E_INVALID_JSON);
        add(R"j({"language": "python", "code": "print(')j" + bytes + R"j(')"})j", "request",
            SBX_E_INVALID_JSON);
        add(R"({"language": "python", "code": "", "stdin": ")" + bytes + R"("})", "request",
            SBX_E_INVALID_JSON);
        add(R"({"lang)" + bytes + R"(uage": "python", "code": ""})", "request", SBX_E_INVALID_JSON);
        add(R"({"language": "python", )" + bytes + R"( "code": ""})", "request", SBX_E_INVALID_JSON);
    }
    for (const char *escape : {R"(\ud800)", R"(\udfff)", R"(\ud800\u0041)", R"(\udc00\ud800)"})
        add(std::string(R"({"language": "python", "code": "x)") + escape + R"("})", "request",
            SBX_E_INVALID_JSON);
    // Deep nesting, at the top and inside a field; the parser stops at 64.
    for (size_t depth : {65u, 1000u, 100000u}) {
        add(std::string(depth, '[') + std::string(depth, ']'), "request", SBX_E_INVALID_JSON);
        add(R"({"language": "python", "code": "", "limits": )" + std::string(depth, '[') +
                std::string(depth, ']') + "}",
            "request", SBX_E_INVALID_JSON);
        std::string objects;
        for (size_t i = 0; i < depth; ++i)
            objects += R"({"a":)";
        objects += "1" + std::string(depth, '}');
        add(R"({"language": "python", "code": "", "env": )" + objects + "}", "request",
            SBX_E_INVALID_JSON);
        add(std::string(depth, '['), "request", SBX_E_INVALID_JSON);
    }
    // Nesting that JSON allows but the request does not: a wrong type.
    add(R"({"language": "python", "code": "", "args": [[[["a"]]]]})", "args[0]",
        SBX_E_INVALID_REQUEST);
    // Huge numbers: past double's range (Boost would read infinity) the
    // document is refused, naming the field; within it, a limit out of range.
    for (const char *number : {"1e400", "-1e400", "1e999999999", "1E+309"}) {
        add(std::string(R"({"language": "python", "code": "", "limits": {"time_s": )") + number +
                "}}",
            "limits.time_s", SBX_E_INVALID_JSON);
        add(std::string(R"({"language": "python", "code": "", "x": [0, )") + number + "]}",
            "x[1]", SBX_E_INVALID_JSON);
        add(number, "request", SBX_E_INVALID_JSON);
    }
    for (const std::string &number :
         {std::string("123456789012345678901234567890"), std::string(5000, '9'),
          "-" + std::string(400, '9'), std::string("18446744073709551616"),
          std::string("9223372036854775808"), std::string("9223372036854775807"),
          std::string("-9223372036854775809"), std::string("1") + std::string(400, '0') + "e-300",
          std::string("4.9e-324"), std::string("-0.0"), std::string("2.2250738585072014e-308")}) {
        add(R"({"language": "python", "code": "", "limits": {"memory_mb": )" + number + "}}",
            "limits.memory_mb");
        add(R"({"language": "python", "code": "", "limits": {"time_s": )" + number + "}}",
            "limits.time_s");
        add(R"({"language": "python", "code": "", "network": )" + number + "}", "network");
    }
    // A request that is not an object.
    for (const char *text : {"null", "true", "false", "0", "-1", "1e300", R"("python")", "[]",
                             R"([{"language": "python", "code": ""}])"})
        add(text, "request", SBX_E_INVALID_REQUEST);
    // Duplicate keys: the last one would win silently; a checker upstream may
    // have seen the first. Refused, naming the key.
    add(R"({"language": "python", "language": "bash", "code": ""})", "language",
        SBX_E_INVALID_JSON);
    add(R"({"language": "python", "code": "", "code": "rm -rf /"})", "code", SBX_E_INVALID_JSON);
    add(R"({"language": "python", "code": "", "limits": {"time_s": 1, "time_s": 900}})",
        "limits.time_s", SBX_E_INVALID_JSON);
    add(R"({"language": "python", "code": "", "limits": {}, "limits": {"time_s": 900}})",
        "limits", SBX_E_INVALID_JSON);
    add(R"({"language": "python", "code": "", "network": false, "network": true})", "network",
        SBX_E_INVALID_JSON);
    add(R"({"language": "python", "code": "", "env": {"A": "1", "A": "2"}})", "env.A",
        SBX_E_INVALID_JSON);
    add(R"({"language": "python", "code": "", "files": [{"path": "a", "content": ""},)"
        R"( {"path": "b", "path": "/etc/passwd", "content": ""}]})",
        "files[1].path", SBX_E_INVALID_JSON);
    add(R"({"language": "python", "code": "", "x": {"y": [1, {"z": 1, "z": 2}]}})", "x.y[1].z",
        SBX_E_INVALID_JSON);
    // The same key spelled two ways (an escape) is still the same key.
    add(R"({"language": "python", "code": "", "\u0063ode": "x"})", "code", SBX_E_INVALID_JSON);
    run_all();
}

} // namespace
} // namespace sbx::test
