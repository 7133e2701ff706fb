// The warm pool: containers created, attached and started ahead of time,
// their sbx-init waiting for a job. One queue per profile (image, runtime,
// network and limits), each holding at most `size` boxes, ready or starting.
// A run that finds its queue empty goes cold; it never waits for the refill.
//
// Recycle mode: a box that ended its run normally comes back (give_back)
// instead of being removed; sbx-init cleans it (reset) while it waits in the
// queue, and the next take() uses it only once sbx-init verified it clean.
// Then `size` bounds every box of the profile, those out on a run included.
// A box retires after max_runs runs, at max_age, or after any run that did
// not end normally.
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
    bool recycle = false;  // boxes serve up to max_runs runs each
    size_t max_runs = 50;
    // How long take() waits for sbx-init to report a recycled box clean
    // (usually done long before); past it, the box retires.
    Clock::duration reset_timeout = std::chrono::seconds(2);
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
    // A started box whose sbx-init said hello (and, when recycled, reported
    // it clean) and holds nothing unread, or nullptr when none of this
    // profile is ready.
    std::unique_ptr<Box> take(const BoxSpec &spec);
    // Every box a run used comes back here. In recycle mode a box of this
    // pool that `reusable` (its run ended normally and read everything) and
    // that has runs left is sent a reset and queued again; any other box is
    // handed to the reaper. Never throws.
    void give_back(std::unique_ptr<Box> box, bool reusable) noexcept;
    // {"size", "recycle", "max_runs", "recycled", "retired",
    //  "profiles": [{"image", "limits", "ready", "starting", "in_use"}]}.
    boost::json::value state() const;

private:
    struct Member {
        std::unique_ptr<Box> box;
        Clock::time_point born;
        size_t runs = 0;           // runs served so far
        bool reset_pending = false; // sent reset; its clean is still unread
    };
    struct Profile {
        BoxSpec spec;
        std::deque<Member> ready;
        size_t starting = 0;
        size_t lent = 0; // recycle mode: out on a run, expected back
        Clock::time_point retry_after{};
        size_t occupied() const { return ready.size() + starting + lent; }
    };
    // A recycle-mode box out on a run.
    struct Lent {
        Profile *profile;
        Clock::time_point born;
        size_t runs;
    };

    void fill_loop();
    Profile *next_to_fill(Clock::time_point now);
    std::unique_ptr<Box> start_ready(const BoxSpec &spec);
    bool usable(Member &m);
    void note_retired(const Box &box, const std::string &why);
    void retire(std::unique_ptr<Box> box) noexcept;
    static bool still_alive(Box &box);

    Backend &backend_;
    Reaper &reaper_;
    const PoolSettings settings_;
    std::shared_ptr<spdlog::logger> log_;
    mutable std::mutex mutex_;
    std::condition_variable wake_;
    std::map<std::string, Profile> profiles_; // never erased: Lent points in
    std::map<const Box *, Lent> lent_;
    size_t recycled_ = 0; // runs after which a box went back to the queue
    size_t retired_ = 0;  // recycle-mode boxes removed after a run
    std::mutex why_mutex_;
    std::string last_why_; // a reason repeated run after run is logged once
    bool stopping_ = false;
    std::thread filler_;
};

// Boxes of one profile are interchangeable: same image, runtime, network and
// limits.
std::string profile_key(const BoxSpec &spec);

} // namespace sbx::runner
