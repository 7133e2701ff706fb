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
    Profile &p = it->second;
    while (!p.ready.empty()) {
        Member m = std::move(p.ready.front());
        p.ready.pop_front();
        // Recycle mode: the box stays counted while it is checked and used,
        // so that the filler does not start one more meanwhile.
        if (settings_.recycle)
            ++p.lent;
        lock.unlock();
        if (!settings_.recycle)
            wake_.notify_all(); // a slot is free: refill
        const bool good = usable(m);
        lock.lock();
        if (good) {
            if (settings_.recycle)
                lent_[m.box.get()] = Lent{&p, m.born, m.runs};
            return std::move(m.box);
        }
        if (settings_.recycle) {
            --p.lent;
            ++retired_;
        }
        lock.unlock();
        wake_.notify_all();
        retire(std::move(m.box));
        lock.lock();
    }
    return nullptr;
}

// Not too old, and either reported clean after its last run or, never used,
// silent with an open channel.
bool Pool::usable(Member &m) {
    if (Clock::now() - m.born >= settings_.max_age)
        return false;
    if (m.reset_pending) {
        try {
            InitChannel channel(*m.box, 0);
            const Clock::time_point asked = Clock::now();
            auto failure = channel.await_clean(asked + settings_.reset_timeout);
            log_->debug("pool: box {} waited {} us for clean", m.box->id().substr(0, 12),
                        std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - asked).count());
            if (failure) {
                note_retired(*m.box, failure->message);
                return false;
            }
            if (!channel.drained()) {
                note_retired(*m.box, "sbx-init said more than clean");
                return false;
            }
        } catch (const std::exception &e) {
            note_retired(*m.box, e.what());
            return false;
        }
    }
    return still_alive(*m.box);
}

// A runtime that cannot be verified clean (gVisor lists no SysV IPC object)
// retires every box for the same reason: say it once, not per run.
void Pool::note_retired(const Box &box, const std::string &why) {
    std::lock_guard lock(why_mutex_);
    const bool repeated = why == last_why_;
    last_why_ = why;
    log_->log(repeated ? spdlog::level::debug : spdlog::level::warn, "pool: box {} retired: {}",
              box.id().substr(0, 12), why);
}

void Pool::give_back(std::unique_ptr<Box> box, bool reusable) noexcept {
    if (!box)
        return;
    std::unique_lock lock(mutex_);
    auto it = lent_.find(box.get());
    if (it == lent_.end()) { // a cold box, or recycling is off
        lock.unlock();
        retire(std::move(box));
        return;
    }
    const Lent lent = it->second;
    lent_.erase(it);
    const size_t runs = lent.runs + 1;
    bool keep = reusable && !stopping_ && runs < settings_.max_runs &&
                Clock::now() - lent.born < settings_.max_age;
    if (keep) {
        lock.unlock();
        try {
            // sbx-init cleans while the box waits; take() reads the verdict.
            InitChannel(*box, 0).send_reset(Clock::now() + std::chrono::seconds(1));
        } catch (const std::exception &e) {
            log_->warn("pool: cannot reset box {}: {}", box->id().substr(0, 12), e.what());
            keep = false;
        }
        lock.lock();
    }
    --lent.profile->lent;
    if (keep) {
        lent.profile->ready.push_back(Member{std::move(box), lent.born, runs, true});
        ++recycled_;
    } else {
        ++retired_;
    }
    lock.unlock();
    wake_.notify_all(); // a box is back, or a slot is free
    retire(std::move(box));
}

// A ready box says nothing until it gets a job: any byte or a closed channel
// means it died or broke while it waited.
bool Pool::still_alive(Box &box) {
    std::string bytes;
    return box.receive(bytes, Clock::now()) && bytes.empty();
}

void Pool::retire(std::unique_ptr<Box> box) noexcept {
    if (!box)
        return;
    try {
        reaper_.dispose(std::move(box));
    } catch (...) {
        box.reset(); // could not queue it: remove it here
    }
}

json::value Pool::state() const {
    std::lock_guard lock(mutex_);
    json::array profiles;
    for (const auto &[key, p] : profiles_)
        profiles.push_back(json::object{{"image", p.spec.image},
                                        {"limits", to_json(p.spec.limits)},
                                        {"ready", p.ready.size()},
                                        {"starting", p.starting},
                                        {"in_use", p.lent}});
    return json::object{{"size", settings_.size},
                        {"recycle", settings_.recycle},
                        {"max_runs", settings_.max_runs},
                        {"recycled", recycled_},
                        {"retired", retired_},
                        {"profiles", std::move(profiles)}};
}

Pool::Profile *Pool::next_to_fill(Clock::time_point now) {
    for (auto &[key, p] : profiles_)
        if (p.occupied() < settings_.size && now >= p.retry_after)
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
                if (q.occupied() < settings_.size)
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
            p->ready.push_back(Member{std::move(box), Clock::now(), 0, false});
        else
            p->retry_after = Clock::now() + retry_delay;
    }
}

} // namespace sbx::runner
