#include "runner/sessions.hpp"

#include "util/json.hpp"

#include <random>

namespace sbx::runner {

namespace {

// Ids of ended sessions remembered for a clear message; older ones read as
// never opened.
constexpr size_t remembered_endings = 4096;

std::string seconds_text(Clock::duration d) {
    const double s = std::chrono::duration<double>(d).count();
    char text[32];
    std::snprintf(text, sizeof text, "%g s", s);
    return text;
}

} // namespace

Session::Session(std::string id, SessionOptions options, std::unique_ptr<Box> box,
                 Reaper &reaper)
    : id_(std::move(id)), options_(options), reaper_(reaper), box_(std::move(box)) {}

Session::~Session() {
    if (box_)
        reaper_.dispose(std::move(box_));
}

Session::Turn::Turn(Session &session, CancelToken *cancel) : session_(session) {
    // Made before the turn lock is taken: a firing thread holds the token's
    // lock while it wakes this one, then takes the turn lock.
    std::optional<CancelToken::Watch> watch;
    if (cancel)
        watch.emplace(*cancel, [&session] {
            std::lock_guard lock(session.turn_mutex_);
            session.turn_free_.notify_all();
        });
    std::unique_lock lock(session.turn_mutex_);
    if (session.turn_owner_ == std::this_thread::get_id())
        throw ApiError(SBX_E_INVALID_REQUEST,
                       "session_id: session " + util::quote(session.id()) +
                           " is running an operation on this thread (a call from on_output "
                           "cannot use the session of its own run)");
    session.turn_free_.wait(lock, [&] {
        return !session.turn_owner_ || (cancel && cancel->cancelled());
    });
    if (session.turn_owner_)
        return; // cancelled first
    session.turn_owner_ = std::this_thread::get_id();
    held_ = true;
}

Session::Turn::~Turn() {
    if (!held_)
        return;
    {
        std::lock_guard lock(session_.turn_mutex_);
        session_.turn_owner_.reset();
    }
    session_.turn_free_.notify_all();
}

void Session::mark_ended(const std::string &why) {
    std::lock_guard lock(ended_mutex_);
    if (!ended_why_)
        ended_why_ = why;
}

void Session::check_open() const {
    std::lock_guard lock(ended_mutex_);
    if (ended_why_)
        throw ApiError(SBX_E_UNKNOWN_SESSION,
                       "session_id: session " + util::quote(id_) + " " + *ended_why_);
}

SessionLease::SessionLease(Sessions &owner, std::shared_ptr<Session> session)
    : owner_(owner), session_(std::move(session)) {}

SessionLease::~SessionLease() { owner_.release(session_->id()); }

void SessionLease::fail(const std::string &why) {
    std::lock_guard lock(owner_.mutex_);
    owner_.forget_locked(session_->id(), why);
}

Sessions::Slot::~Slot() {
    if (!owner_)
        return;
    std::lock_guard lock(owner_->mutex_);
    --owner_->reserved_;
}

Sessions::Sessions(size_t max, Clock::duration idle_ttl, Reaper &reaper,
                   std::shared_ptr<spdlog::logger> log)
    : max_(max), idle_ttl_(idle_ttl), reaper_(reaper), log_(std::move(log)),
      expirer_([this] { expire_loop(); }) {}

Sessions::~Sessions() {
    std::map<std::string, Entry> open;
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
        open.swap(open_);
    }
    wake_.notify_all();
    expirer_.join();
    // Each container goes when its last reference does, here.
    for (auto &[id, entry] : open)
        entry.session->mark_ended("ended: the sandbox was destroyed");
}

Sessions::Slot Sessions::reserve() {
    std::lock_guard lock(mutex_);
    if (open_.size() + reserved_ >= max_)
        throw ApiError(SBX_E_SESSION_LIMIT,
                       "sessions: " + std::to_string(max_) +
                           " sessions are open, the most this sandbox allows (config "
                           "sessions.max); close one first");
    ++reserved_;
    return Slot(*this);
}

std::string Sessions::new_id() {
    std::random_device random;
    static const char hex[] = "0123456789abcdef";
    std::string id = "s-";
    for (int i = 0; i < 24; ++i)
        id += hex[random() % 16];
    return id;
}

std::shared_ptr<Session> Sessions::add(Slot slot, std::string id, SessionOptions options,
                                       std::unique_ptr<Box> box) {
    auto session = std::make_shared<Session>(id, options, std::move(box), reaper_);
    std::lock_guard lock(mutex_);
    --reserved_;
    slot.owner_ = nullptr;
    open_[id] = Entry{session, Clock::now(), 0};
    wake_.notify_all();
    return session;
}

void Sessions::unknown(const std::string &id) {
    const auto ended = ended_.find(id);
    if (ended != ended_.end())
        throw ApiError(SBX_E_UNKNOWN_SESSION,
                       "session_id: session " + util::quote(id) + " " + ended->second);
    throw ApiError(SBX_E_UNKNOWN_SESSION,
                   "session_id: no session " + util::quote(id) + " was opened on this sandbox");
}

SessionLease Sessions::use(const std::string &id) {
    std::lock_guard lock(mutex_);
    const auto it = open_.find(id);
    if (it == open_.end())
        unknown(id);
    ++it->second.in_use;
    return SessionLease(*this, it->second.session);
}

void Sessions::release(const std::string &id) {
    std::lock_guard lock(mutex_);
    const auto it = open_.find(id);
    if (it == open_.end())
        return;
    --it->second.in_use;
    it->second.last_used = Clock::now();
    wake_.notify_all();
}

// The container goes with the last reference to the session: now, or when
// the run going on it ends.
void Sessions::close(const std::string &id) {
    std::shared_ptr<Session> session;
    {
        std::lock_guard lock(mutex_);
        if (!open_.count(id))
            unknown(id);
        session = forget_locked(id, "was closed");
    }
    log_->debug("session {} closed", id);
}

std::shared_ptr<Session> Sessions::forget_locked(const std::string &id, const std::string &why) {
    std::shared_ptr<Session> session;
    const auto it = open_.find(id);
    if (it != open_.end()) {
        session = std::move(it->second.session);
        open_.erase(it);
        session->mark_ended(why);
    }
    if (ended_.emplace(id, why).second) {
        ended_order_.push_back(id);
        if (ended_order_.size() > remembered_endings) {
            ended_.erase(ended_order_.front());
            ended_order_.pop_front();
        }
    }
    return session;
}

size_t Sessions::open_count() {
    std::lock_guard lock(mutex_);
    return open_.size();
}

// Closes sessions idle for idle_ttl; wakes when the next one would expire.
void Sessions::expire_loop() {
    std::unique_lock lock(mutex_);
    while (!stopping_) {
        const Clock::time_point now = Clock::now();
        Clock::time_point next = Clock::time_point::max();
        std::vector<std::shared_ptr<Session>> expired;
        for (auto it = open_.begin(); it != open_.end();) {
            Entry &e = it->second;
            const Clock::time_point due = e.last_used + idle_ttl_;
            if (e.in_use == 0 && due <= now) {
                expired.push_back(e.session);
                const std::string id = it++->first;
                forget_locked(id, "expired after " + seconds_text(idle_ttl_) +
                                      " idle (config sessions.idle_ttl_s)");
                continue;
            }
            if (e.in_use == 0)
                next = std::min(next, due);
            ++it;
        }
        if (!expired.empty()) {
            // Containers are handed to the reaper outside the lock.
            lock.unlock();
            for (const auto &session : expired)
                log_->info("session {} expired after {} idle", session->id(),
                           seconds_text(idle_ttl_));
            expired.clear();
            lock.lock();
            continue;
        }
        wake_.wait_until(lock, next);
    }
}

} // namespace sbx::runner
