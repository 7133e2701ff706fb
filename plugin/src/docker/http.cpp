#include "docker/http.hpp"

#include <boost/json/parse.hpp>

#include <stdexcept>

namespace sbx::docker::detail {

namespace http = boost::beast::http;

std::string versioned_target(std::string_view target) {
    if (target.empty() || target.front() != '/')
        throw std::invalid_argument("Docker API target must start with '/': \"" +
                                    std::string(target) + "\"");
    for (unsigned char c : target)
        if (c <= 0x20 || c == 0x7f)
            throw std::invalid_argument(
                "Docker API target contains a space or control character: \"" +
                std::string(target) + "\"");
    // "/v1.41/..." from a caller would become "/v1.41/v1.41/...": refuse it.
    if (target.size() > 2 && target[1] == 'v' && target[2] >= '0' && target[2] <= '9')
        throw std::invalid_argument("Docker API target must be unversioned (the engine "
                                    "client adds " +
                                    std::string(kApiPrefix) + "): \"" +
                                    std::string(target) + "\"");
    std::string out(kApiPrefix);
    out.append(target);
    return out;
}

Clock::time_point deadline_after(std::chrono::milliseconds timeout) {
    if (timeout <= std::chrono::milliseconds::zero())
        throw std::invalid_argument("Docker API timeout must be positive, got " +
                                    std::to_string(timeout.count()) + " ms");
    // Keep far-future deadlines away from time_point overflow.
    constexpr auto cap = std::chrono::hours(24 * 365);
    return Clock::now() + (timeout < cap ? Clock::duration(timeout) : Clock::duration(cap));
}

void set_common_fields(http::fields &fields) {
    fields.set(http::field::host, "docker");
    fields.set(http::field::user_agent, "sbx/" SBX_VERSION);
}

std::string engine_message(unsigned status, std::string_view body) {
    boost::system::error_code ec;
    boost::json::value v = boost::json::parse(body, ec);
    if (!ec) {
        if (auto *obj = v.if_object())
            if (auto *msg = obj->if_contains("message"))
                if (auto *s = msg->if_string())
                    return std::string(s->data(), s->size());
    }
    while (!body.empty() && (body.back() == '\n' || body.back() == '\r' ||
                             body.back() == ' ' || body.back() == '\t'))
        body.remove_suffix(1);
    if (!body.empty())
        return std::string(body);
    std::string out = "HTTP " + std::to_string(status);
    auto reason = http::obsolete_reason(http::int_to_status(status));
    if (!reason.empty() && reason != "<unknown-status>")
        out.append(" ").append(reason);
    return out;
}

} // namespace sbx::docker::detail
