#include "tools/tools.hpp"

#include "sandbox/sandbox.hpp"
#include "tools/session_tools.hpp"
#include "tools/tool.hpp"
#include "util/json.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <array>

namespace sbx::tools {
namespace json = boost::json;

json::object string_prop(std::string description) {
    return {{"type", "string"}, {"description", std::move(description)}};
}

json::value tool_result(std::string text, json::value structured, bool is_error) {
    json::object r{{"content", json::array{json::object{{"type", "text"}, {"text", std::move(text)}}}},
                   {"isError", is_error}};
    if (!structured.is_null())
        r["structuredContent"] = std::move(structured);
    return r;
}

// No structuredContent: it would have to match the tool's outputSchema,
// and the text already says what is wrong.
json::value error_result(const std::string &message) {
    return tool_result(message, nullptr, true);
}

namespace {

json::object execute_input(const Sandbox &sb) {
    json::array names;
    for (const std::string &n : sb.registry().names())
        names.push_back(json::value(n));
    const runner::Limits &d = sb.config().defaults, &m = sb.config().max.limits;
    json::object language{{"type", "string"},
                          {"enum", std::move(names)},
                          {"description", "The programming language of `code`."}};
    json::object file{{"type", "object"},
                      {"properties",
                       {{"path", string_prop("Path relative to the working directory, e.g. "
                                             "\"data/input.txt\".")},
                        {"content", string_prop("The file's content.")},
                        {"encoding", {{"type", "string"},
                                      {"enum", {"utf-8", "base64"}},
                                      {"description", "How `content` is encoded (default utf-8)."}}}}},
                      {"required", {"path", "content"}}};
    return {{"type", "object"},
            {"properties",
             {{"language", std::move(language)},
              {"code", string_prop("The complete program to run. For java the class must be "
                                   "named Main.")},
              {"stdin", string_prop("Text given to the program on standard input.")},
              {"args", {{"type", "array"},
                        {"items", {{"type", "string"}}},
                        {"description", "Command-line arguments for the program."}}},
              {"files", {{"type", "array"},
                         {"items", std::move(file)},
                         {"description", "Extra files written next to the program."}}},
              {"timeout_s", {{"type", "number"},
                             {"exclusiveMinimum", 0},
                             {"maximum", m.time_s},
                             {"description", "Wall-clock limit of the run in seconds (default " +
                                                 util::serialize(json::value(d.time_s)) + ")."}}},
              {"memory_mb", {{"type", "integer"},
                             {"minimum", runner::minimum_limits.memory_mb},
                             {"maximum", m.memory_mb},
                             {"description", "Memory limit in MB (default " +
                                                 std::to_string(d.memory_mb) + ")."}}},
              {"session_id", string_prop("Run in this session (from create_session): its files, "
                                         "and for a REPL session its variables, stay from run to "
                                         "run.")},
              {"collect", {{"type", "array"},
                           {"items", {{"type", "string"}}},
                           {"description", "Globs of files the program writes that should come "
                                           "back in the result, e.g. [\"out/*.png\", \"*.csv\"] "
                                           "(* within a directory, ** across directories)."}}}}},
            {"required", {"language", "code"}}};
}

json::object execute_output() {
    json::array statuses{"success",      "execution_error", "compile_error",
                         "timeout",      "memory_limit",    "output_limit",
                         "cancelled",    "setup_error",     "internal_error"};
    return {{"type", "object"},
            {"properties",
             {{"status", {{"type", "string"}, {"enum", std::move(statuses)}}},
              {"exit_code", {{"type", {"integer", "null"}}}},
              {"stdout", {{"type", "string"}}},
              {"stderr", {{"type", "string"}}},
              {"stdout_truncated", {{"type", "boolean"}}},
              {"stderr_truncated", {{"type", "boolean"}}},
              {"compile", {{"type", {"object", "null"}}}},
              {"execution_time", {{"type", "number"}}},
              {"error_message", {{"type", {"string", "null"}}}},
              {"session_id", {{"type", "string"}}},
              {"files", {{"type", "array"}}}}},
            {"required", {"status", "exit_code", "stdout", "stderr"}}};
}

std::vector<Tool> all_tools(const Sandbox &sb) {
    const runner::Limits &d = sb.config().defaults;
    std::string description =
        "Run a program in a locked-down sandbox (no network, read-only system, non-root user) "
        "and return its output. Each call starts from a clean machine, unless it gives the "
        "session_id of a session opened with create_session, where files (and, in a REPL "
        "session, python variables) persist from call to call. Limits by default: " +
        util::serialize(json::value(d.time_s)) + " s wall time, " + std::to_string(d.memory_mb) +
        " MB memory, " + util::serialize(json::value(d.cpus)) + " CPU, " +
        std::to_string(d.max_output_bytes) +
        " bytes of output. Returns status (success, execution_error, compile_error, timeout, "
        "memory_limit, output_limit, setup_error, internal_error), exit_code, stdout and stderr "
        "(with truncation noted), and compiler output for compiled languages.";
    return {
        {"execute_code", std::move(description), execute_input(sb), execute_output()},
        {"list_languages",
         "List the programming languages the sandbox can run, with their versions and aliases.",
         {{"type", "object"}, {"properties", json::object{}}},
         {}},
    };
}

std::vector<Tool> every_tool(const Sandbox &sb) {
    std::vector<Tool> tools = all_tools(sb);
    for (Tool &t : session_tools(sb))
        tools.push_back(std::move(t));
    return tools;
}

json::value in_dialect(const Tool &t, std::string_view dialect) {
    if (dialect == "openai")
        return json::object{{"type", "function"},
                            {"function",
                             {{"name", t.name},
                              {"description", t.description},
                              {"parameters", t.input}}}};
    if (dialect == "anthropic")
        return json::object{{"name", t.name}, {"description", t.description},
                            {"input_schema", t.input}};
    json::object mcp{{"name", t.name}, {"description", t.description}, {"inputSchema", t.input}};
    if (!t.output.empty())
        mcp["outputSchema"] = t.output;
    return mcp;
}

// Maps the tool's arguments to an execute request. Throws ApiError naming
// the argument.
json::value to_request(const json::object &args) {
    static const std::array<std::string_view, 9> known{
        "language",  "code",      "stdin",      "args",   "files",
        "timeout_s", "memory_mb", "session_id", "collect"};
    for (const auto &entry : args)
        if (std::find(known.begin(), known.end(), entry.key()) == known.end())
            throw invalid_field(std::string(entry.key()), "is not an argument of execute_code");
    json::object request;
    json::object limits;
    for (const auto &entry : args) {
        if (entry.key() == "timeout_s")
            limits["time_s"] = entry.value();
        else if (entry.key() == "memory_mb")
            limits["memory_mb"] = entry.value();
        else
            request[entry.key()] = entry.value();
    }
    if (!limits.empty())
        request["limits"] = std::move(limits);
    return request;
}

// Request fields renamed for the tool's arguments, so messages name what the
// model actually sent.
std::string tool_words(std::string message) {
    for (const auto &[from, to] : {std::pair{"limits.time_s", "timeout_s"},
                                   std::pair{"limits.memory_mb", "memory_mb"}}) {
        const size_t at = message.find(from);
        if (at != std::string::npos)
            message.replace(at, std::string_view(from).size(), to);
    }
    return message;
}

json::value call_execute(Sandbox &sb, const json::object &args, const runner::RunControl &control) {
    try {
        json::value result = sb.execute(to_request(args), control);
        const std::string status(result.at("status").as_string());
        const bool failed = status == "setup_error" || status == "internal_error";
        std::string text = summarize(result);
        return tool_result(std::move(text), std::move(result), failed);
    } catch (const ApiError &e) {
        return error_result(tool_words(e.what()));
    }
}

json::value call_list_languages(const Sandbox &sb, const json::object &args) {
    if (!args.empty())
        return error_result(std::string(args.begin()->key()) +
                            ": is not an argument of list_languages (it takes none)");
    json::value doc = sb.registry().to_json();
    std::string text;
    for (const json::value &l : doc.at("languages").as_array())
        text += std::string(l.at("name").as_string()) + " (" +
                std::string(l.at("display_name").as_string()) + ")\n";
    return tool_result(std::move(text), std::move(doc), false);
}

void append_stream(std::string &text, std::string_view name, const json::object &o,
                   std::string_view key) {
    const std::string_view data = o.at(key).as_string();
    const json::value *truncated = o.if_contains(std::string(key) + "_truncated");
    if (data.empty())
        return;
    text += "\n--- ";
    text += name;
    text += truncated && truncated->as_bool() ? " (truncated) ---\n" : " ---\n";
    text += data;
    if (data.back() != '\n')
        text += '\n';
}

// The collected files as a model reads them: names and sizes (the contents
// are in structuredContent).
void append_files(std::string &text, const json::array &files) {
    text += "\n--- files (" + std::to_string(files.size()) + ") ---\n";
    for (const json::value &f : files) {
        text += std::string(f.at("path").as_string()) + " (" +
                std::to_string(f.at("size").to_number<uint64_t>()) + " bytes";
        text += f.at("returned").as_bool() ? ")\n" : ", not returned: over the size cap)\n";
    }
}

} // namespace

std::string summarize(const json::value &result) {
    const json::object &r = result.as_object();
    std::string text = "status: " + std::string(r.at("status").as_string());
    if (r.at("exit_code").is_int64())
        text += ", exit code " + std::to_string(r.at("exit_code").as_int64());
    if (r.at("signal").is_int64())
        text += ", signal " + std::to_string(r.at("signal").as_int64());
    text += ", " + util::serialize(r.at("execution_time")) + " s";
    if (r.at("error_message").is_string())
        text += "\n" + std::string(r.at("error_message").as_string());
    if (const json::value *repl = r.if_contains("repl"); repl && repl->as_object().contains("note"))
        text += "\nnote: " + std::string(repl->at("note").as_string());
    if (r.at("compile").is_object()) {
        const json::object &c = r.at("compile").as_object();
        if (c.at("status").as_string() != "success") {
            append_stream(text, "compiler stdout", c, "stdout");
            append_stream(text, "compiler stderr", c, "stderr");
        }
    }
    append_stream(text, "stdout", r, "stdout");
    append_stream(text, "stderr", r, "stderr");
    if (const json::value *files = r.if_contains("files"))
        append_files(text, files->as_array());
    return text;
}

json::value definitions(const Sandbox &sb, std::string_view dialect) {
    if (dialect != "mcp" && dialect != "openai" && dialect != "anthropic")
        throw ApiError(SBX_E_UNKNOWN_DIALECT, "dialect: unknown dialect \"" + std::string(dialect) +
                                                  "\" (known: mcp, openai, anthropic)");
    json::array list;
    for (const Tool &t : every_tool(sb))
        list.push_back(in_dialect(t, dialect));
    return json::object{{"tools", std::move(list)}};
}

json::value call(Sandbox &sb, std::string_view name, std::string_view arguments_json,
                 const runner::RunControl &control) {
    // The names alone: building every definition (schemas, the language
    // enum) on each call would be work thrown away.
    static constexpr std::array<std::string_view, 7> names{
        "execute_code", "list_languages", "create_session", "close_session",
        "write_file",   "read_file",      "list_files"};
    if (std::find(names.begin(), names.end(), name) == names.end()) {
        std::string known;
        for (std::string_view n : names)
            known += (known.empty() ? "" : ", ") + std::string(n);
        throw ApiError(SBX_E_UNKNOWN_TOOL,
                       "name: unknown tool " + util::quote(name) + " (known: " + known + ")");
    }
    json::value args;
    try {
        args = util::parse_json(arguments_json, "arguments");
    } catch (const ApiError &e) {
        return error_result(e.what());
    }
    if (!args.is_object())
        return error_result("arguments: expected an object, got " +
                            std::string(util::type_name(args)));
    if (name == "execute_code")
        return call_execute(sb, args.get_object(), control);
    if (name == "list_languages")
        return call_list_languages(sb, args.get_object());
    return call_session_tool(sb, name, args.get_object());
}

} // namespace sbx::tools
