#include "options.hpp"

#include <algorithm>

namespace sbx::host {

std::string Options::get(const std::string &name, const std::string &fallback) const {
    auto it = values.find(name);
    return it == values.end() ? fallback : it->second;
}

Options parse_options(int argc, char **argv, const std::vector<std::string> &flags) {
    Options o;
    for (int i = 1; i < argc; ++i) {
        std::string arg = argv[i];
        if (arg == "--") {
            for (++i; i < argc; ++i)
                o.positional.emplace_back(argv[i]);
            break;
        }
        if (arg.size() > 1 && arg[0] == '-') {
            std::string value;
            bool inline_value = false;
            if (const size_t eq = arg.find('='); arg.rfind("--", 0) == 0 && eq != std::string::npos) {
                value = arg.substr(eq + 1);
                arg = arg.substr(0, eq);
                inline_value = true;
            }
            if (std::find(flags.begin(), flags.end(), arg) == flags.end())
                throw UsageError("unknown option " + arg);
            if (!inline_value) {
                if (i + 1 >= argc)
                    throw UsageError(arg + " needs a value");
                value = argv[++i];
            }
            o.values[arg] = value;
        } else if (o.command.empty()) {
            o.command = arg;
        } else {
            o.positional.push_back(arg);
        }
    }
    return o;
}

} // namespace sbx::host
