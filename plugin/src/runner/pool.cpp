#include "runner/pool.hpp"

#include "runner/init_channel.hpp"
#include "runner/reaper.hpp"
#include "util/json.hpp"

#include <boost/json.hpp>

namespace sbx::runner {
namespace json = boost::json;

namespace {

// After a failed start (a missing image, an engine down), wait this long
// before trying that profile again.
constexpr auto retry_delay = std::chrono::seconds(5);

} // namespace

std::string profile_key(const BoxSpec &s) {
    return s.image + "|" + s.runtime + "|" + (s.network ? "net" : "nonet") + "|" +
           util::serialize(to_json(s.limits));
}

Pool::Pool(Backend &backend, Reaper &reaper, PoolSettings settings,
           std::shared_ptr<spdlog::logger> log)
    : backend_(backend), reaper_(reaper), settings_(settings), log_(std::move(log)) {
    if (settings_.size > 0)
        filler_ = std::thread([this] { fill_loop(); });
}

Pool::~Pool() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    if (filler_.joinable())
        filler_.join();
    for (auto &[key, profile] : profiles_)
        for (Member &m : profile.ready)
            reaper_.dispose(std::move(m.box));
}

void Pool::keep_warm(const BoxSpec &spec) {
    if (settings_.size == 0)
        return;
    {
        std::lock_guard lock(mutex_);
        if (profiles_.size() >= settings_.max_profiles)
            return;
        profiles_.try_emplace(profile_key(spec), Profile{spec, {}, 0, {}});
    }
    wake_.notify_all();
}

std::unique_ptr<Box> Pool::take(const BoxSpec &spec) {
    std::unique_lock lock(mutex_);
    auto it = profiles_.find(profile_key(spec));
    if (it == profiles_.end())
        return nullptr;
    std::deque<Member> &ready = it->second.ready;
    while (!ready.empty()) {
        Member m = std::move(ready.front());
        ready.pop_front();
        lock.unlock();
        wake_.notify_all(); // a slot is free: refill
        if (Clock::now() - m.born < settings_.max_age && still_alive(*m.box))
            return std::move(m.box);
        reaper_.dispose(std::move(m.box));
        lock.lock();
    }
    return nullptr;
}

// A ready box says nothing until it gets a job: any byte or a closed channel
// means it died or broke while it waited.
bool Pool::still_alive(Box &box) {
    std::string bytes;
    return box.receive(bytes, Clock::now()) && bytes.empty();
}

json::value Pool::state() const {
    std::lock_guard lock(mutex_);
    json::array profiles;
    for (const auto &[key, p] : profiles_)
        profiles.push_back(json::object{{"image", p.spec.image},
                                        {"limits", to_json(p.spec.limits)},
                                        {"ready", p.ready.size()},
                                        {"starting", p.starting}});
    return json::object{{"size", settings_.size}, {"profiles", std::move(profiles)}};
}

Pool::Profile *Pool::next_to_fill(Clock::time_point now) {
    for (auto &[key, p] : profiles_)
        if (p.ready.size() + p.starting < settings_.size && now >= p.retry_after)
            return &p;
    return nullptr;
}

std::unique_ptr<Box> Pool::start_ready(const BoxSpec &spec) {
    const Clock::time_point deadline = Clock::now() + settings_.setup_timeout;
    try {
        std::unique_ptr<Box> box = backend_.start(spec, deadline);
        InitChannel channel(*box, 0);
        if (auto failure = channel.await_hello(deadline)) {
            log_->warn("pool: a {} box did not start: {}", spec.image, failure->message);
            reaper_.dispose(std::move(box));
            return nullptr;
        }
        return box;
    } catch (const std::exception &e) {
        log_->warn("pool: cannot start a {} box: {}", spec.image, e.what());
        return nullptr;
    }
}

// One box at a time, so that refilling never competes with runs for the
// engine more than it must.
void Pool::fill_loop() {
    std::unique_lock lock(mutex_);
    while (!stopping_) {
        Profile *p = next_to_fill(Clock::now());
        if (!p) {
            Clock::time_point next_retry = Clock::time_point::max();
            for (const auto &[key, q] : profiles_)
                if (q.ready.size() + q.starting < settings_.size)
                    next_retry = std::min(next_retry, q.retry_after);
            wake_.wait_until(lock, next_retry, [&] { return stopping_ || next_to_fill(Clock::now()); });
            continue;
        }
        ++p->starting;
        const BoxSpec spec = p->spec;
        lock.unlock();
        std::unique_ptr<Box> box = start_ready(spec);
        lock.lock();
        --p->starting; // profiles are never erased while the filler runs
        if (box)
            p->ready.push_back({std::move(box), Clock::now()});
        else
            p->retry_after = Clock::now() + retry_delay;
    }
}

} // namespace sbx::runner
