// parse_endpoint / default_endpoint: "unix:///path" or "tcp://host:port".
#include "docker/engine.hpp"

#include <sys/un.h>

#include <charconv>
#include <cstdlib>
#include <stdexcept>

namespace sbx::docker {
namespace {

constexpr std::string_view kDefaultHost = "unix:///var/run/docker.sock";

[[noreturn]] void reject(std::string_view value, std::string_view why) {
    throw std::invalid_argument("invalid Docker endpoint \"" + std::string(value) +
                                "\": " + std::string(why));
}

bool valid_port(std::string_view port) {
    unsigned value = 0;
    auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    return ec == std::errc() && end == port.data() + port.size() && value >= 1 &&
           value <= 65535 && port.front() != '+';
}

} // namespace

Endpoint parse_endpoint(std::string_view value) {
    Endpoint ep;
    ep.text = std::string(value);
    if (value.empty())
        reject(value, "empty; expected unix:///path or tcp://host:port");
    if (value.starts_with("unix://")) {
        std::string_view path = value.substr(7);
        if (path.empty())
            reject(value, "the socket path is empty");
        if (path.find('\0') != std::string_view::npos)
            reject(value, "the socket path contains a NUL byte");
        if (path.size() >= sizeof(sockaddr_un{}.sun_path))
            reject(value, "the socket path is longer than " +
                              std::to_string(sizeof(sockaddr_un{}.sun_path) - 1) +
                              " bytes");
        ep.kind = Endpoint::Kind::unix_socket;
        ep.path = std::string(path);
        return ep;
    }
    if (value.starts_with("tcp://")) {
        std::string_view rest = value.substr(6);
        if (!rest.empty() && rest.back() == '/')
            rest.remove_suffix(1); // "tcp://host:2375/" is common enough
        std::string_view host, port;
        if (rest.starts_with("[")) { // [IPv6]:port
            auto close = rest.find(']');
            if (close == std::string_view::npos)
                reject(value, "unterminated '[' in the host");
            host = rest.substr(1, close - 1);
            std::string_view after = rest.substr(close + 1);
            if (!after.starts_with(":"))
                reject(value, "missing port; expected tcp://host:port");
            port = after.substr(1);
        } else {
            auto colon = rest.rfind(':');
            if (colon == std::string_view::npos)
                reject(value, "missing port; expected tcp://host:port");
            host = rest.substr(0, colon);
            port = rest.substr(colon + 1);
            if (host.find(':') != std::string_view::npos)
                reject(value, "an IPv6 host must be written in brackets, as tcp://[::1]:2375");
        }
        if (host.empty())
            reject(value, "the host is empty");
        for (char c : host)
            if (c == '/' || c == '@' || c == '?' || c == '#' || c == ' ' ||
                static_cast<unsigned char>(c) < 0x20)
                reject(value, "unexpected character in the host; expected tcp://host:port");
        if (port.empty())
            reject(value, "missing port; expected tcp://host:port");
        if (!valid_port(port))
            reject(value, "the port must be a number from 1 to 65535");
        ep.kind = Endpoint::Kind::tcp;
        ep.path.clear();
        ep.host = std::string(host);
        ep.port = std::string(port);
        return ep;
    }
    auto scheme_end = value.find("://");
    if (scheme_end != std::string_view::npos)
        reject(value, "unsupported scheme \"" + std::string(value.substr(0, scheme_end)) +
                          "\"; expected unix:///path or tcp://host:port");
    reject(value, "expected unix:///path or tcp://host:port");
}

Endpoint default_endpoint() {
    const char *env = std::getenv("DOCKER_HOST");
    if (env == nullptr || *env == '\0')
        return parse_endpoint(kDefaultHost);
    try {
        return parse_endpoint(env);
    } catch (const std::invalid_argument &e) {
        throw std::invalid_argument(std::string("DOCKER_HOST: ") + e.what());
    }
}

} // namespace sbx::docker
