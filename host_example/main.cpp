// sbx-host: a real host of the sbx plugin. It loads libsbx.so with
// Boost.DLL and runs code from the command line.
//
//   sbx-host run [--language L] (-c CODE | FILE) [--stdin TEXT] [--time S]
//                [--memory MB] [--config FILE] [--plugin PATH]
//   sbx-host languages
//   sbx-host tools --dialect mcp|openai|anthropic
//   sbx-host info
#include "options.hpp"
#include "plugin.hpp"

#include <boost/json.hpp>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

namespace json = boost::json;
using namespace sbx::host;

namespace {

const char *usage =
    "usage: sbx-host COMMAND [options]\n"
    "  run [--language L] (-c CODE | FILE) [--stdin TEXT] [--time S] [--memory MB]\n"
    "      runs code in the sandbox and prints the result JSON; the language comes\n"
    "      from the file's extension when --language is not given\n"
    "  languages                      prints the language table\n"
    "  tools --dialect mcp|openai|anthropic\n"
    "                                 prints the tool definitions\n"
    "  info                           prints the plugin's build information\n"
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
    const std::string result = sb.execute(json::serialize(request));
    std::cout << result << std::endl;
    return json::parse(result).at("status").as_string() == "success" ? 0 : 1;
}

int dispatch(const Options &o) {
    const auto plugin = Plugin::load(Plugin::locate(o.get("--plugin")));
    if (o.command == "info") {
        std::cout << plugin->info() << std::endl;
        return 0;
    }
    Sandbox sb(plugin, o.has("--config") ? read_file(o.get("--config")) : "");
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
                         "--dialect"});
        if (o.command.empty() || o.command == "help") {
            std::cout << usage;
            return o.command.empty() ? 2 : 0;
        }
        return dispatch(o);
    } catch (const UsageError &e) {
        std::cerr << "sbx-host: " << e.what() << "\n" << usage;
    } catch (const CallError &e) {
        std::cerr << "sbx-host: " << e.what() << "\n";
    } catch (const std::exception &e) {
        std::cerr << "sbx-host: " << e.what() << "\n";
    }
    return 2;
}
