// The warm pool: containers created, attached and started ahead of time,
// their sbx-init waiting for a job. One queue per profile (image, runtime,
// network and limits), each holding at most `size` boxes, ready or starting.
// A run that finds its queue empty goes cold; it never waits for the refill.
#pragma once

#include "runner/box.hpp"

#include <boost/json/value.hpp>
#include <spdlog/logger.h>

#include <condition_variable>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <thread>

namespace sbx::runner {

class Reaper;

struct PoolSettings {
    size_t size = 0;         // per profile; 0 disables the pool
    size_t max_profiles = 8; // profiles kept warm at once
    Clock::duration setup_timeout = std::chrono::seconds(30);
    Clock::duration max_age = std::chrono::minutes(10); // older boxes are replaced
};

class Pool {
public:
    Pool(Backend &backend, Reaper &reaper, PoolSettings settings,
         std::shared_ptr<spdlog::logger> log);
    ~Pool(); // stops the refill and removes every box it holds
    Pool(const Pool &) = delete;
    Pool &operator=(const Pool &) = delete;

    // Keeps `spec`'s profile warm from now on, unless max_profiles are
    // already kept. Its labels are those of the boxes it will make.
    void keep_warm(const BoxSpec &spec);
    // A started box whose sbx-init said hello and holds nothing unread, or
    // nullptr when none of this profile is ready.
    std::unique_ptr<Box> take(const BoxSpec &spec);
    // {"size", "profiles": [{"image", "ready", "starting"}]}.
    boost::json::value state() const;

private:
    struct Member {
        std::unique_ptr<Box> box;
        Clock::time_point born;
    };
    struct Profile {
        BoxSpec spec;
        std::deque<Member> ready;
        size_t starting = 0;
        Clock::time_point retry_after{};
    };

    void fill_loop();
    Profile *next_to_fill(Clock::time_point now);
    std::unique_ptr<Box> start_ready(const BoxSpec &spec);
    static bool still_alive(Box &box);

    Backend &backend_;
    Reaper &reaper_;
    const PoolSettings settings_;
    std::shared_ptr<spdlog::logger> log_;
    mutable std::mutex mutex_;
    std::condition_variable wake_;
    std::map<std::string, Profile> profiles_;
    bool stopping_ = false;
    std::thread filler_;
};

// Boxes of one profile are interchangeable: same image, runtime, network and
// limits.
std::string profile_key(const BoxSpec &spec);

} // namespace sbx::runner
