// sbx-host: a real host of the sbx plugin. It loads libsbx.so with
// Boost.DLL and runs code from the command line, answers tool calls read as
// JSON lines, or serves MCP over stdio.
//
//   sbx-host run [--language L] (-c CODE | FILE) [--stdin TEXT] [--time S]
//                [--memory MB] [--stream on|off] [--config FILE] [--plugin PATH]
//   sbx-host languages
//   sbx-host tools --dialect mcp|openai|anthropic
//   sbx-host dispatch [--jobs N]
//   sbx-host mcp [--jobs N]
//   sbx-host info
#include "dispatch.hpp"
#include "lines.hpp"
#include "mcp.hpp"
#include "options.hpp"
#include "plugin.hpp"
#include "stop_signals.hpp"

#include <boost/json.hpp>

#include <charconv>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <unistd.h>

namespace json = boost::json;
using namespace sbx::host;

namespace {

const char *usage =
    "usage: sbx-host COMMAND [options]\n"
    "  run [--language L] (-c CODE | FILE) [--stdin TEXT] [--time S] [--memory MB]\n"
    "      runs code in the sandbox and prints the result JSON; the language comes\n"
    "      from the file's extension when --language is not given; --stream on|off\n"
    "      copies the program's output to stderr as it arrives (default: on when\n"
    "      stderr is a terminal)\n"
    "  languages                      prints the language table\n"
    "  tools --dialect mcp|openai|anthropic\n"
    "                                 prints the tool definitions\n"
    "  info                           prints the plugin's build information\n"
    "  dispatch [--jobs N]            answers tool calls read as JSON lines on stdin:\n"
    "      one line out per non-blank line in, in input order, N calls at once (1)\n"
    "        OpenAI    {\"id\",\"type\":\"function\",\n"
    "                   \"function\":{\"name\",\"arguments\":\"<JSON text>\"}}\n"
    "                  -> {\"role\":\"tool\",\"tool_call_id\",\"content\"}\n"
    "        Anthropic {\"type\":\"tool_use\",\"id\",\"name\",\"input\":{...}}\n"
    "                  -> {\"type\":\"tool_result\",\"tool_use_id\",\"content\",\"is_error\"}\n"
    "        MCP       {\"name\",\"arguments\":{...}} -> the CallToolResult\n"
    "      a malformed call is answered in its shape with \"error: ...\" as content\n"
    "      (is_error/isError true); a line of no shape (not JSON, not a call) gets\n"
    "      {\"error\":{\"line\":N,\"message\"}}, N counting every input line from 1\n"
    "  mcp [--jobs N]                 an MCP server over stdio: newline-delimited JSON-RPC\n"
    "      2.0 (no batches); initialize (protocol 2024-11-05 to 2025-11-25), ping,\n"
    "      tools/list, tools/call (N at once, default 4); requests before initialize\n"
    "      are answered too; notifications/cancelled stops the call's run and drops\n"
    "      its response; a call with _meta.progressToken gets its output as\n"
    "      notifications/progress; the sessions a client opened (create_session)\n"
    "      are closed when it disconnects\n"
    "  dispatch and mcp run until the end of stdin or SIGINT/SIGTERM, let the running\n"
    "  calls finish, remove every container and exit 0 (a second signal aborts)\n"
    "common options: --plugin PATH (else $SBX_PLUGIN, else next to sbx-host),\n"
    "                --config FILE (an sbx.config/1 document)\n"
    "exit status: 0 success, 1 the program did not succeed, 2 usage or API error\n";

std::string read_file(const std::string &path) {
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw UsageError("cannot read " + path);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

// The language whose source file has the extension of `path`.
std::string language_for(Sandbox &sb, const std::string &path) {
    const std::string ext = std::filesystem::path(path).extension().string();
    if (ext.empty())
        throw UsageError("cannot tell the language of " + path + ": give --language");
    const json::value doc = json::parse(sb.languages());
    for (const json::value &l : doc.at("languages").as_array()) {
        const std::string source(l.at("source_file").as_string());
        if (std::filesystem::path(source).extension().string() == ext)
            return std::string(l.at("name").as_string());
    }
    throw UsageError("no language uses the extension " + ext + ": give --language");
}

int run(Sandbox &sb, const Options &o) {
    json::object request;
    std::string language = o.get("--language");
    if (o.has("-c")) {
        request["code"] = o.get("-c");
        if (language.empty())
            throw UsageError("run -c needs --language");
    } else if (o.positional.size() == 1) {
        request["code"] = read_file(o.positional[0]);
        if (language.empty())
            language = language_for(sb, o.positional[0]);
    } else {
        throw UsageError("run needs -c CODE or one FILE");
    }
    request["language"] = language;
    if (o.has("--stdin"))
        request["stdin"] = o.get("--stdin");
    json::object limits;
    if (o.has("--time"))
        limits["time_s"] = std::stod(o.get("--time"));
    if (o.has("--memory"))
        limits["memory_mb"] = std::stoll(o.get("--memory"));
    if (!limits.empty())
        request["limits"] = limits;
    // The program's output goes to stderr as it arrives (ABI 1.1); stdout
    // keeps the result document alone.
    const std::string stream = o.get("--stream", ::isatty(STDERR_FILENO) ? "on" : "off");
    if (stream != "on" && stream != "off")
        throw UsageError("--stream takes on or off, not \"" + stream + "\"");
    CallOptions live;
    live.on_output = [](int32_t, std::string_view data) {
        std::cerr.write(data.data(), static_cast<std::streamsize>(data.size()));
        std::cerr.flush();
        return true;
    };
    const std::string result =
        sb.execute(json::serialize(request), stream == "on" ? &live : nullptr);
    std::cout << result << std::endl;
    return json::parse(result).at("status").as_string() == "success" ? 0 : 1;
}

std::string config_of(const Options &o) {
    return o.has("--config") ? read_file(o.get("--config")) : "";
}

unsigned jobs_of(const Options &o, unsigned fallback) {
    if (!o.has("--jobs"))
        return fallback;
    const std::string text = o.get("--jobs");
    unsigned jobs = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), jobs);
    if (ec != std::errc() || end != text.data() + text.size() || jobs < 1 || jobs > 64)
        throw UsageError("--jobs takes a whole number from 1 to 64");
    return jobs;
}

// sbx_create does not fail without an engine; say so before a client's
// every call reports setup_error.
void warn_if_engine_down(Sandbox &sb) {
    try {
        sb.health();
    } catch (const CallError &e) {
        std::cerr << "sbx-host: warning: " << e.what() << "; every run will report setup_error\n";
    }
}

// dispatch and mcp: stdin to stdout until the end of input or a signal.
int serve(const std::shared_ptr<Plugin> &plugin, const Options &o) {
    const bool mcp = o.command == "mcp";
    const unsigned jobs = jobs_of(o, mcp ? 4 : 1);
    const StopSignals stop; // before the sandbox, so that a signal during setup still ends cleanly
    Sandbox sb(plugin, config_of(o));
    warn_if_engine_down(sb);
    LineReader in(STDIN_FILENO, stop.fd());
    LineWriter out(std::cout);
    if (!mcp)
        return dispatch_tool_calls(sb, jobs, in, out);
    const std::string version(json::parse(plugin->info()).at("version").as_string());
    return serve_mcp(sb, version, jobs, in, out);
}

int command(const Options &o) {
    const auto plugin = Plugin::load(Plugin::locate(o.get("--plugin")));
    if (o.command == "info") {
        std::cout << plugin->info() << std::endl;
        return 0;
    }
    if (o.command == "dispatch" || o.command == "mcp")
        return serve(plugin, o);
    // One call and out: a warm pool would only start a container to remove it.
    Sandbox sb(plugin, o.has("--config") ? config_of(o) : R"({"pool": {"size": 0}})");
    if (o.command == "run")
        return run(sb, o);
    if (o.command == "languages") {
        std::cout << sb.languages() << std::endl;
        return 0;
    }
    if (o.command == "tools") {
        std::cout << sb.tools(o.get("--dialect", "mcp")) << std::endl;
        return 0;
    }
    throw UsageError("unknown command \"" + o.command + "\"");
}

} // namespace

int main(int argc, char **argv) {
    try {
        const Options o = parse_options(
            argc, argv, {"--plugin", "--config", "--language", "-c", "--stdin", "--time", "--memory",
                         "--stream", "--dialect", "--jobs"});
        if (o.command.empty() || o.command == "help") {
            std::cout << usage;
            return o.command.empty() ? 2 : 0;
        }
        return command(o);
    } catch (const UsageError &e) {
        std::cerr << "sbx-host: " << e.what() << "\n" << usage;
    } catch (const CallError &e) {
        std::cerr << "sbx-host: " << e.what() << "\n";
    } catch (const std::exception &e) {
        std::cerr << "sbx-host: " << e.what() << "\n";
    }
    return 2;
}
