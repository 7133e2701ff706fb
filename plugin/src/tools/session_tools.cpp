#include "tools/session_tools.hpp"

#include "runner/request.hpp"
#include "runner/result.hpp"
#include "runner/session_files.hpp"
#include "sandbox/sandbox.hpp"
#include "util/json.hpp"

#include <boost/beast/core/detail/base64.hpp>

#include <algorithm>

namespace sbx::tools {
namespace json = boost::json;

namespace {

json::object session_id_prop() {
    return string_prop("The id create_session returned.");
}

json::object object_schema(json::object properties, json::array required) {
    return {{"type", "object"}, {"properties", std::move(properties)}, {"required", std::move(required)}};
}

// Refuses arguments the tool does not take, naming the first.
void check_known(const json::object &args, std::initializer_list<std::string_view> known,
                 std::string_view tool) {
    for (const auto &entry : args)
        if (std::find(known.begin(), known.end(), entry.key()) == known.end())
            throw invalid_field(std::string(entry.key()),
                                "is not an argument of " + std::string(tool));
}

std::string required_string(const util::FieldReader &r, std::string_view key, size_t max_bytes) {
    std::optional<std::string> value = r.string(key, max_bytes, true);
    if (!value)
        r.fail(key, "is required");
    return std::move(*value);
}

// `path` as a glob that matches only itself.
std::string literal_glob(std::string_view path) {
    std::string glob;
    for (char c : path) {
        if (c == '*' || c == '?' || c == '\\' || c == '[')
            glob += '\\';
        glob += c;
    }
    return glob;
}

json::value create_session(Sandbox &sb, const json::object &args) {
    check_known(args, {"language", "repl", "memory_mb"}, "create_session");
    json::object options;
    for (const auto &entry : args) {
        if (entry.key() == "memory_mb")
            options["limits"] = json::object{{"memory_mb", entry.value()}};
        else
            options[entry.key()] = entry.value();
    }
    json::value session = sb.open_session(util::serialize(options));
    const json::object &s = session.as_object();
    std::string text = "session " + std::string(s.at("session_id").as_string()) + " opened (" +
                       std::string(s.at("language").as_string()) +
                       (s.at("repl").as_bool() ? ", REPL: variables persist" : "") +
                       "). Pass its session_id to execute_code, write_file, read_file and "
                       "list_files; files persist between runs. It closes after " +
                       util::serialize(s.at("idle_ttl_s")) + " s idle, or with close_session.";
    return tool_result(std::move(text), std::move(session), false);
}

json::value close_session(Sandbox &sb, const json::object &args) {
    check_known(args, {"session_id"}, "close_session");
    const util::FieldReader r(args, "", SBX_E_INVALID_REQUEST);
    const std::string id = required_string(r, "session_id", 256);
    sb.close_session(id);
    return tool_result("session " + id + " closed; its container was removed",
                       json::object{{"session_id", id}, {"closed", true}}, false);
}

json::value write_file(Sandbox &sb, const json::object &args) {
    check_known(args, {"session_id", "path", "content", "encoding"}, "write_file");
    const util::FieldReader r(args, "", SBX_E_INVALID_REQUEST);
    runner::SessionLease session = sb.use_session(required_string(r, "session_id", 256));
    const std::string path = runner::check_relative_path(required_string(r, "path", 4096), "path");
    const uint64_t budget = static_cast<uint64_t>(session->options().limits.disk_mb) << 20;
    std::string content = required_string(r, "content", budget * 2);
    const std::string encoding = r.string("encoding", 16).value_or("utf-8");
    if (encoding == "base64")
        content = runner::decode_base64(content, "content");
    else if (encoding != "utf-8" && encoding != "utf8")
        r.fail("encoding", "must be \"utf-8\" or \"base64\", got " + util::quote(encoding));
    if (content.size() > budget)
        r.fail("content", "is larger than the session's disk (" +
                              std::to_string(session->options().limits.disk_mb) + " MB)");
    const size_t size = content.size();
    runner::write_session_files(session, {{path, std::move(content), 0644}});
    return tool_result("wrote " + path + " (" + std::to_string(size) + " bytes)",
                       json::object{{"path", path}, {"size", size}}, false);
}

json::value read_file(Sandbox &sb, const json::object &args) {
    check_known(args, {"session_id", "path"}, "read_file");
    const util::FieldReader r(args, "", SBX_E_INVALID_REQUEST);
    runner::SessionLease session = sb.use_session(required_string(r, "session_id", 256));
    const std::string path = runner::check_relative_path(required_string(r, "path", 4096), "path");
    const uint64_t cap = sb.config().collect_max_bytes;
    const wire::FileList list =
        runner::read_session_files(session, {{literal_glob(path)}, cap, 1, false});
    if (list.files.empty())
        r.fail("path", "no file " + util::quote(path) + " in the session's workspace" +
                           (list.error.empty() ? "" : " (" + list.error + ")"));
    const wire::FileEntry &file = list.files.front();
    if (!file.returned)
        r.fail("path", util::quote(path) + " is " + std::to_string(file.size) +
                           " bytes, more than read_file returns (" + std::to_string(cap) + ")");
    json::value entry = runner::files_json(list).as_array().front();
    const bool text = entry.at("encoding") == "utf-8";
    std::string shown = text ? std::string(entry.at("content").as_string())
                             : "(binary, " + std::to_string(file.size) +
                                   " bytes: base64 in structuredContent.content)";
    return tool_result(std::move(shown), std::move(entry), false);
}

json::value list_files(Sandbox &sb, const json::object &args) {
    check_known(args, {"session_id", "pattern"}, "list_files");
    const util::FieldReader r(args, "", SBX_E_INVALID_REQUEST);
    runner::SessionLease session = sb.use_session(required_string(r, "session_id", 256));
    const std::string pattern =
        runner::check_collect_pattern(r.string("pattern", 4096).value_or("**"), "pattern");
    const wire::FileList list = runner::read_session_files(
        session, {{pattern}, 0, static_cast<uint32_t>(sb.config().collect_max_files), true});
    json::array files;
    std::string text;
    for (const wire::FileEntry &f : list.files) {
        files.push_back(json::object{{"path", f.path}, {"size", f.size}});
        text += f.path + " (" + std::to_string(f.size) + " bytes)\n";
    }
    if (files.empty())
        text = "no file matches " + util::quote(pattern) + "\n";
    if (list.entries_truncated)
        text += "(more files match; only the first " + std::to_string(files.size()) +
                " are listed)\n";
    json::object listing{{"files", std::move(files)}, {"truncated", list.entries_truncated}};
    if (!list.error.empty()) {
        text += "(not every directory could be read: " + list.error + ")\n";
        listing["error"] = list.error;
    }
    return tool_result(std::move(text), std::move(listing), false);
}

} // namespace

std::vector<Tool> session_tools(const Sandbox &sb) {
    json::array names;
    for (const std::string &n : sb.registry().names())
        names.push_back(json::value(n));
    const std::string ttl = util::serialize(json::value(sb.config().session_idle_ttl_s));
    return {
        {"create_session",
         "Open a session: one sandbox kept for several execute_code calls, so that files "
         "written in one run are there in the next. With repl true (python only) variables, "
         "imports and functions persist too, like a notebook; a run that times out or crashes "
         "resets them (its result says so). Closes after " + ttl + " s idle.",
         object_schema({{"language", {{"type", "string"},
                                      {"enum", std::move(names)},
                                      {"description", "The language the session runs."}}},
                        {"repl", {{"type", "boolean"},
                                  {"description", "Keep interpreter state between runs (python)."}}},
                        {"memory_mb", {{"type", "integer"},
                                       {"minimum", runner::minimum_limits.memory_mb},
                                       {"maximum", sb.config().max.limits.memory_mb},
                                       {"description", "Memory of the session's sandbox in MB."}}}},
                       {"language"}),
         {}},
        {"close_session", "Close a session and delete its sandbox and files.",
         object_schema({{"session_id", session_id_prop()}}, {"session_id"}), {}},
        {"write_file",
         "Write a file into a session's working directory (directories are created).",
         object_schema({{"session_id", session_id_prop()},
                        {"path", string_prop("Path relative to the working directory.")},
                        {"content", string_prop("The file's content.")},
                        {"encoding", {{"type", "string"},
                                      {"enum", {"utf-8", "base64"}},
                                      {"description", "How content is encoded (default utf-8)."}}}},
                       {"session_id", "path", "content"}),
         {}},
        {"read_file",
         "Read a file from a session's working directory (text, or base64 for binary files).",
         object_schema({{"session_id", session_id_prop()},
                        {"path", string_prop("Path relative to the working directory.")}},
                       {"session_id", "path"}),
         {}},
        {"list_files",
         "List the files in a session's working directory, with their sizes.",
         object_schema({{"session_id", session_id_prop()},
                        {"pattern", string_prop("A glob to filter by, e.g. \"out/*.png\" (default "
                                                "\"**\": every file).")}},
                       {"session_id"}),
         {}},
    };
}

json::value call_session_tool(Sandbox &sb, std::string_view name, const json::object &args) {
    try {
        if (name == "create_session")
            return create_session(sb, args);
        if (name == "close_session")
            return close_session(sb, args);
        if (name == "write_file")
            return write_file(sb, args);
        if (name == "read_file")
            return read_file(sb, args);
        return list_files(sb, args);
    } catch (const ApiError &e) {
        return error_result(e.what());
    }
}

} // namespace sbx::tools
