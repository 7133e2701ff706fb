// Every schema of abi/schemas accepts hand-written valid documents and
// rejects broken ones at the field that was broken.
#include "support/json_schema.hpp"

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <set>
#include <string>
#include <vector>

namespace {
namespace json = boost::json;

// Replaces the value at `pointer` (plain tokens, no escapes) with the JSON
// text `replacement`, or removes it when `replacement` is null.
struct Breakage {
    std::string pointer;
    const char *replacement;
};

// Each breakage applies to the last valid document of its case.
struct SchemaCase {
    std::string file;
    std::vector<std::string> valid;
    std::vector<Breakage> broken;
};

void PrintTo(const SchemaCase &c, std::ostream *os) { *os << c.file; }

json::value broken(json::value doc, const Breakage &b) {
    std::vector<std::string> tokens;
    for (size_t start = 1, end; start <= b.pointer.size(); start = end + 1) {
        end = b.pointer.find('/', start);
        end = end == std::string::npos ? b.pointer.size() : end;
        tokens.push_back(b.pointer.substr(start, end - start));
    }
    json::value *parent = &doc;
    for (size_t i = 0; i + 1 < tokens.size(); ++i)
        parent = parent->is_array() ? &parent->as_array().at(std::stoul(tokens[i]))
                                    : &parent->as_object().at(tokens[i]);
    const std::string &last = tokens.back();
    if (parent->is_array()) {
        json::array &a = parent->as_array();
        if (b.replacement)
            a.at(std::stoul(last)) = json::parse(b.replacement);
        else
            a.erase(a.begin() + static_cast<std::ptrdiff_t>(std::stoul(last)));
    } else if (b.replacement) {
        parent->as_object()[last] = json::parse(b.replacement);
    } else if (parent->as_object().erase(last) != 1) {
        throw std::invalid_argument("nothing to remove at " + b.pointer);
    }
    return doc;
}

const char *const design_result = R"({"schema": "sbx.execute.result/1", "id": "r1",
  "language": "python", "status": "success", "exit_code": 0, "signal": null,
  "stdout": "Alice\n", "stderr": "", "stdout_truncated": false, "stderr_truncated": false,
  "compile": null, "execution_time": 0.041, "error_message": null, "oom_killed": false,
  "timings_ms": {"queue": 0, "setup": 0, "compile": 0, "run": 0, "total": 0},
  "resource_usage": {"cpu_time_ms": 0, "memory_peak_mb": 0},
  "limits_applied": {"time_s": 30, "memory_mb": 256, "cpus": 0.5, "pids": 64,
                     "max_output_bytes": 100000, "disk_mb": 64}})";

const char *const compile_error_result = R"({"schema": "sbx.execute.result/1", "id": "r2",
  "language": "c", "status": "compile_error", "exit_code": null, "signal": null,
  "stdout": "", "stderr": "", "stdout_truncated": false, "stderr_truncated": false,
  "compile": {"status": "compile_error", "exit_code": 1, "signal": null, "stdout": "",
              "stderr": "main.c:1: error", "stdout_truncated": false,
              "stderr_truncated": false, "execution_time": 0.2},
  "execution_time": 0, "error_message": null, "oom_killed": false,
  "timings_ms": {"queue": 1, "setup": 80.5, "compile": 200, "run": 0, "total": 281.5},
  "resource_usage": {"cpu_time_ms": 150, "memory_peak_mb": 12.5},
  "limits_applied": {"time_s": 0.5, "compile_time_s": 30, "memory_mb": 64, "cpus": 1,
                     "pids": 8, "max_output_bytes": 1, "disk_mb": 1}})";

const char *const mcp_tools = R"({"tools": [{"name": "execute_code", "description": "Run code.",
  "inputSchema": {"type": "object", "properties": {"code": {"type": "string"}},
                  "required": ["code"]},
  "outputSchema": {"type": "object", "properties": {}}}]})";

const std::vector<SchemaCase> cases{
    {"execute.request.json",
     {R"j({"language": "python", "code": "print(input())"})j",
      R"j({"schema": "sbx.execute.request/1", "language": "python", "code": "print(input())",
          "files": [{"path": "util.py", "content": "...", "encoding": "utf-8"},
                    {"path": "data.bin", "content": "AAE="}],
          "stdin": "Alice\n", "args": ["-v"], "env": {"A": "1"},
          "limits": {"time_s": 30, "compile_time_s": 30, "memory_mb": 256, "cpus": 0.5,
                     "pids": 64, "max_output_bytes": 100000, "disk_mb": 64},
          "network": false, "session_id": null, "unknown_field": [1]})j"},
     {{"/code", nullptr},
      {"/language", "3"},
      {"/files/0/encoding", R"("utf-16")"},
      {"/files/1/path", nullptr},
      {"/limits/memory_mb", "1.5"},
      {"/limits/time_s", "0"},
      {"/env/A", "1"},
      {"/network", R"("no")"},
      {"/schema", R"("sbx.execute.request/2")"}}},
    {"execute.result.json",
     {design_result, compile_error_result},
     {{"/stderr_truncated", nullptr},
      {"/status", R"("crashed")"},
      {"/exit_code", R"("0")"},
      {"/signal", "0"},
      {"/compile", R"({"status": "success"})"},
      {"/compile/status", R"("fine")"},
      {"/execution_time", "-1"},
      {"/timings_ms/total", nullptr},
      {"/resource_usage/cpu_time_ms", "null"},
      {"/limits_applied/memory_mb", "1.5"},
      {"/schema", R"("sbx.execute.result/2")"}}},
    {"config.json",
     {"{}",
      R"({"schema": "sbx.config/1", "docker_host": "unix:///var/run/docker.sock",
          "runtime": "runc", "languages_dir": null, "images": {"python": "my/python:3.12"},
          "defaults": {"time_s": 30, "memory_mb": 256, "cpus": 0.5, "pids": 64,
                       "max_output_bytes": 100000, "disk_mb": 64},
          "max": {"time_s": 300, "memory_mb": 4096, "cpus": 2, "pids": 1024,
                  "max_output_bytes": 10000000, "disk_mb": 1024, "code_bytes": 1000000},
          "allow_network": false, "max_concurrency": 8,
          "pool": {"size": 2, "languages": ["python"]},
          "sessions": {"max": 16, "idle_ttl_s": 600}, "log_level": "info",
          "init_path": "/usr/lib/sbx/sbx-init"})"},
     {{"/log_level", R"("verbose")"},
      {"/max_concurrency", R"("x")"},
      {"/max_concurrency", "0"},
      {"/images/python", "3"},
      {"/defaults/cpus", R"("half")"},
      {"/max/code_bytes", "1.5"},
      {"/pool/size", "-1"},
      {"/sessions/idle_ttl_s", "0"},
      {"/runtime", R"("")"},
      {"/schema", R"("sbx.config/2")"}}},
    {"languages.json",
     {R"j({"schema": "sbx.languages/1", "languages": [
          {"name": "python", "aliases": ["py"], "display_name": "Python 3.11",
           "version": "3.11", "image": "sbx/python:latest", "compiled": false,
           "source_file": "main.py"},
          {"name": "c", "aliases": [], "display_name": "C (GCC 12)", "version": "12",
           "image": "sbx/c:latest", "compiled": true, "source_file": "main.c"}]})j"},
     {{"/languages/1/image", nullptr},
      {"/languages/0/compiled", R"("no")"},
      {"/languages/0/aliases/0", "1"},
      {"/languages", nullptr},
      {"/schema", R"("sbx.languages/2")"}}},
    {"health.json",
     {R"({"schema": "sbx.health/1", "ok": false,
          "engine": {"endpoint": "unix:///nowhere.sock", "reachable": false,
                     "version": null, "api_version": null, "error": "connect: No such file"},
          "runtime": "runc", "active_runs": 0, "languages": []})",
      R"({"schema": "sbx.health/1", "ok": true,
          "engine": {"endpoint": "unix:///var/run/docker.sock", "reachable": true,
                     "version": "20.10.24", "api_version": "1.41", "error": null},
          "runtime": "runc", "active_runs": 2,
          "languages": [{"name": "python", "image": "sbx/python:latest", "present": true}]})"},
     {{"/engine/api_version", nullptr},
      {"/ok", nullptr},
      {"/active_runs", "-1"},
      {"/active_runs", "0.5"},
      {"/languages/0/present", R"("yes")"},
      {"/engine/reachable", "null"},
      {"/schema", R"("sbx.health/2")"}}},
    {"plugin_info.json",
     {R"({"schema": "sbx.plugin_info/1", "name": "sbx", "version": "0.1.0",
          "abi": {"major": 1, "minor": 0},
          "build": {"compiler": "GNU 12.2.0", "type": "RelWithDebInfo"}})"},
     {{"/name", R"("other")"},
      {"/version", R"("one")"},
      {"/abi/minor", R"("0")"},
      {"/build/type", nullptr},
      {"/schema", R"("sbx.plugin_info/2")"}}},
    {"tool_result.json",
     {R"({"content": [{"type": "text", "text": "Alice\n"}],
          "structuredContent": {"status": "success"}, "isError": false})",
      R"({"content": [{"type": "text", "text": "code: missing"}], "isError": true})"},
     {{"/isError", nullptr},
      {"/isError", R"("false")"},
      {"/content/0/type", R"("image")"},
      {"/content/0/text", nullptr},
      {"/structuredContent", R"("x")"}}},
    {"tools.mcp.json",
     {mcp_tools},
     {{"/tools/0/name", R"("run code")"},
      {"/tools/0/name", R"("a123456789b123456789c123456789d123456789e123456789f123456789g1234")"},
      {"/tools/0/description", nullptr},
      {"/tools/0/inputSchema/type", R"("array")"},
      {"/tools/0/inputSchema/properties", nullptr},
      {"/tools/0/outputSchema", "true"},
      {"/tools", "{}"}}},
    {"tools.openai.json",
     {R"({"tools": [{"type": "function", "function": {"name": "execute_code",
          "description": "Run code.", "parameters": {"type": "object",
          "properties": {"code": {"type": "string"}}, "required": ["code"]}}}]})"},
     {{"/tools/0/type", R"("tool")"},
      {"/tools/0/function/name", R"("run.code")"},
      {"/tools/0/function/parameters", nullptr},
      {"/tools/0/function/parameters/properties/code", "1"},
      {"/tools/0/function/parameters/required", R"("code")"}}},
    {"tools.anthropic.json",
     {R"({"tools": [{"name": "execute_code", "description": "Run code.",
          "input_schema": {"type": "object", "properties": {"code": {"type": "string"}},
                           "required": ["code"]}}]})"},
     {{"/tools/0/input_schema", nullptr},
      {"/tools/0/name", R"("")"},
      {"/tools/0/description", R"("")"},
      {"/tools/0/input_schema/type", R"("string")"}}},
};

class SchemaFile : public testing::TestWithParam<SchemaCase> {};

TEST_P(SchemaFile, DescribesItself) {
    const json::value schema = sbx::test::load_schema(GetParam().file);
    ASSERT_TRUE(schema.is_object());
    const json::object &s = schema.get_object();
    EXPECT_EQ(s.at("$schema").as_string(), "https://json-schema.org/draft/2020-12/schema");
    EXPECT_EQ(s.at("$id").as_string(), "https://sbx.dev/schemas/" + GetParam().file);
    EXPECT_TRUE(s.at("title").is_string());
    EXPECT_TRUE(s.at("description").is_string());
}

TEST_P(SchemaFile, AcceptsValidDocuments) {
    const json::value schema = sbx::test::load_schema(GetParam().file);
    for (const std::string &doc : GetParam().valid)
        EXPECT_EQ(sbx::test::validate(schema, json::parse(doc)), std::vector<std::string>{})
            << doc;
}

TEST_P(SchemaFile, RejectsEachBreakageAtItsField) {
    const json::value schema = sbx::test::load_schema(GetParam().file);
    const json::value valid = json::parse(GetParam().valid.back());
    for (const Breakage &b : GetParam().broken) {
        const std::vector<std::string> errors = sbx::test::validate(schema, broken(valid, b));
        const std::string at = "#" + b.pointer + ":";
        EXPECT_TRUE(std::any_of(errors.begin(), errors.end(),
                                [&](const std::string &e) { return e.find(at) != e.npos; }))
            << b.pointer << " -> " << (b.replacement ? b.replacement : "(removed)")
            << ": errors " << testing::PrintToString(errors);
    }
}

INSTANTIATE_TEST_SUITE_P(AbiSchemas, SchemaFile, testing::ValuesIn(cases),
                         [](const testing::TestParamInfo<SchemaCase> &info) {
                             std::string name = info.param.file.substr(0, info.param.file.size() - 5);
                             std::replace(name.begin(), name.end(), '.', '_');
                             return name;
                         });

TEST(AbiSchemas, EverySchemaFileHasACase) {
    std::set<std::string> files, covered;
    for (const auto &entry : std::filesystem::directory_iterator(SBX_TEST_SOURCE_DIR "/abi/schemas"))
        files.insert(entry.path().filename().string());
    for (const SchemaCase &c : cases)
        covered.insert(c.file);
    EXPECT_EQ(files, covered);
}

} // namespace
