// Helpers of the pool and recycle tests: the pool's state through sbx_health,
// and this process's containers as the engine lists them.
#pragma once

#include "docker/engine.hpp"
#include "integration/client.hpp"
#include "sandbox/owner.hpp"
#include "util/url.hpp"

#include <chrono>
#include <functional>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace sbx::test {

using namespace std::chrono_literals;

inline json::object health(Client &client) {
    Owned out, error;
    if (sbx_health(&out.p, client.handle(), &error.p) != SBX_OK)
        throw std::runtime_error("sbx_health: " + error.str());
    return json::parse(out.str()).as_object();
}

// The pool profile of `image` in sbx_health, or an empty object.
inline json::object pool_profile(Client &client, const std::string &image) {
    const json::object h = health(client);
    for (const json::value &p : h.at("pool").at("profiles").as_array())
        if (p.at("image").as_string() == image)
            return p.as_object();
    return {};
}

inline int64_t count_of(const json::object &profile, const char *key) {
    const json::value *v = profile.if_contains(key);
    return v ? v->to_number<int64_t>() : 0;
}

// Polls until `done` or `limit` passes; true when done.
inline bool eventually(const std::function<bool()> &done, std::chrono::milliseconds limit = 60s) {
    const auto until = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < until) {
        if (done())
            return true;
        std::this_thread::sleep_for(50ms);
    }
    return done();
}

inline bool pool_ready(Client &client, const std::string &image, int64_t n,
                       std::chrono::milliseconds limit = 60s) {
    return eventually([&] { return count_of(pool_profile(client, image), "ready") >= n; }, limit);
}

// One container of this process, as the engine lists it.
struct Listed {
    std::string id;
    std::string state;
    bool cold = false; // made for one run (org.sbx.run), not by the pool
};

// The containers of this test process (every sandbox of it), running or not.
inline std::vector<Listed> our_containers(docker::Engine &engine) {
    const std::string filters =
        json::serialize(json::object{{"label", json::array{"org.sbx.owner=" + current_owner()}}});
    const json::value list =
        engine.checked("GET", "/containers/json?all=1&filters=" + util::url_encode(filters),
                       std::nullopt, 10s)
            .json();
    std::vector<Listed> out;
    for (const json::value &c : list.as_array()) {
        const json::object &o = c.as_object();
        const json::object &labels = o.at("Labels").as_object();
        out.push_back({std::string(o.at("Id").as_string()), std::string(o.at("State").as_string()),
                       labels.contains("org.sbx.run")});
    }
    return out;
}

// Pool-made containers of this process (not made for one run).
inline std::vector<std::string> pool_containers(docker::Engine &engine) {
    std::vector<std::string> ids;
    for (const Listed &c : our_containers(engine))
        if (!c.cold && c.state == "running")
            ids.push_back(c.id);
    return ids;
}

// A bash run's first stdout line is its hostname: the container's short id.
inline std::string first_line(const json::object &result) {
    const std::string out = str(result, "stdout");
    return out.substr(0, out.find('\n'));
}

inline json::object bash(Client &client, const std::string &code, json::object extra = {}) {
    extra["language"] = "bash";
    extra["code"] = code;
    return client.run(extra);
}

} // namespace sbx::test
