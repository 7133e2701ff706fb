#include "sandbox/owner.hpp"

#include <fstream>
#include <sstream>
#include <string>
#include <unistd.h>

namespace sbx {
namespace {

std::string hostname() {
    char name[256] = {};
    gethostname(name, sizeof name - 1);
    return name;
}

// Field 22 of /proc/<pid>/stat: start time in clock ticks since boot. Empty
// when the process does not exist.
std::string start_time(long pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
    std::string stat;
    if (!std::getline(in, stat))
        return {};
    const size_t paren = stat.rfind(')'); // the command name may hold spaces
    if (paren == std::string::npos)
        return {};
    std::istringstream fields(stat.substr(paren + 2));
    std::string field;
    for (int i = 3; i <= 22 && fields >> field; ++i)
        if (i == 22)
            return field;
    return {};
}

} // namespace

std::string current_owner() {
    const long pid = static_cast<long>(getpid());
    return hostname() + ":" + std::to_string(pid) + ":" + start_time(pid);
}

bool owner_is_dead(std::string_view owner) {
    const size_t last = owner.rfind(':');
    if (last == std::string_view::npos || last == 0)
        return false;
    const size_t middle = owner.rfind(':', last - 1);
    if (middle == std::string_view::npos)
        return false;
    if (owner.substr(0, middle) != hostname())
        return false;
    long pid = 0;
    try {
        pid = std::stol(std::string(owner.substr(middle + 1, last - middle - 1)));
    } catch (const std::exception &) {
        return false;
    }
    return start_time(pid) != owner.substr(last + 1);
}

} // namespace sbx
