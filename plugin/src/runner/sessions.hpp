// Sessions: containers kept for many runs, by id, with an idle TTL and a
// maximum count. Runs, file reads and writes on one session take turns.
#pragma once

#include "languages/registry.hpp"
#include "runner/box.hpp"
#include "runner/control.hpp"
#include "runner/limits.hpp"
#include "runner/reaper.hpp"

#include <spdlog/logger.h>

#include <condition_variable>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

namespace sbx::runner {

struct SessionOptions {
    const languages::Language *language = nullptr;
    Limits limits; // the container's: memory, cpus, pids, disk stay for its life
    bool network = false;
    bool repl = false;
};

class Session {
public:
    Session(std::string id, SessionOptions options, std::unique_ptr<Box> box, Reaper &reaper);
    ~Session(); // the box goes to the reaper
    Session(const Session &) = delete;
    Session &operator=(const Session &) = delete;

    const std::string &id() const { return id_; }
    const SessionOptions &options() const { return options_; }

    // One operation at a time: a Turn waits for the one going on, and the
    // box is used only while one is held.
    class Turn {
    public:
        // Waits for the session; not held() when `cancel` (may be null)
        // fired first. Throws ApiError(SBX_E_INVALID_REQUEST) when this
        // thread holds the session already (an on_output callback calling
        // into the session of its own run), which would never end.
        explicit Turn(Session &session, CancelToken *cancel = nullptr);
        ~Turn();
        Turn(const Turn &) = delete;
        Turn &operator=(const Turn &) = delete;
        bool held() const { return held_; }

    private:
        Session &session_;
        bool held_ = false;
    };
    Box &box() { return *box_; }
    // Set once the session was closed, expired or failed: an operation that
    // waited for the lock meanwhile must not start. Any thread.
    void mark_ended(const std::string &why);
    // Throws ApiError(SBX_E_UNKNOWN_SESSION) saying why, once it ended.
    void check_open() const;

private:
    const std::string id_;
    const SessionOptions options_;
    Reaper &reaper_;
    std::mutex turn_mutex_;
    std::condition_variable turn_free_;
    std::optional<std::thread::id> turn_owner_; // the thread whose operation goes on
    std::unique_ptr<Box> box_;
    mutable std::mutex ended_mutex_;
    std::optional<std::string> ended_why_;
};

class Sessions;

// A session in use: it does not expire while a lease on it lives.
class SessionLease {
public:
    SessionLease(Sessions &owner, std::shared_ptr<Session> session);
    ~SessionLease();
    SessionLease(const SessionLease &) = delete;
    SessionLease &operator=(const SessionLease &) = delete;
    Session &operator*() const { return *session_; }
    Session *operator->() const { return session_.get(); }
    // The session cannot go on (its container failed): it is forgotten and
    // its id answers `why` from now on.
    void fail(const std::string &why);

private:
    Sessions &owner_;
    std::shared_ptr<Session> session_;
};

class Sessions {
public:
    Sessions(size_t max, Clock::duration idle_ttl, Reaper &reaper,
             std::shared_ptr<spdlog::logger> log);
    ~Sessions(); // stops expiring, removes every session's container
    Sessions(const Sessions &) = delete;
    Sessions &operator=(const Sessions &) = delete;

    // Room for one more session, kept until the Slot goes or is used by add().
    class Slot {
    public:
        explicit Slot(Sessions &owner) : owner_(&owner) {}
        Slot(Slot &&other) noexcept : owner_(std::exchange(other.owner_, nullptr)) {}
        Slot &operator=(Slot &&) = delete;
        ~Slot();

    private:
        friend class Sessions;
        Sessions *owner_;
    };
    // Throws ApiError(SBX_E_SESSION_LIMIT) when max sessions are open or opening.
    Slot reserve();
    // A fresh id; made before the box, so that its labels can carry it.
    static std::string new_id();
    // A new open session holding `box`.
    std::shared_ptr<Session> add(Slot slot, std::string id, SessionOptions options,
                                 std::unique_ptr<Box> box);

    // The open session `id`, in use until the lease goes. Throws
    // ApiError(SBX_E_UNKNOWN_SESSION) saying whether it was closed, expired,
    // ended, or never existed.
    SessionLease use(const std::string &id);
    // Throws ApiError(SBX_E_UNKNOWN_SESSION) like use().
    void close(const std::string &id);

    Clock::duration idle_ttl() const { return idle_ttl_; }
    size_t open_count();

private:
    friend class SessionLease;
    struct Entry {
        std::shared_ptr<Session> session;
        Clock::time_point last_used;
        int in_use = 0;
    };
    void release(const std::string &id);
    // Forgets `id` (its lock held by the caller): later uses answer `why`.
    std::shared_ptr<Session> forget_locked(const std::string &id, const std::string &why);
    void expire_loop();
    [[noreturn]] void unknown(const std::string &id);

    const size_t max_;
    const Clock::duration idle_ttl_;
    Reaper &reaper_;
    std::shared_ptr<spdlog::logger> log_;
    std::mutex mutex_;
    std::condition_variable wake_;
    std::map<std::string, Entry> open_;
    size_t reserved_ = 0;
    // Why recent ids ended, oldest first, so that a late call gets a clear answer.
    std::map<std::string, std::string> ended_;
    std::deque<std::string> ended_order_;
    bool stopping_ = false;
    std::thread expirer_;
};

} // namespace sbx::runner
