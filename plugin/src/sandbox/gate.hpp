// Bounds how many runs use the engine at once (config max_concurrency).
#pragma once

#include "runner/control.hpp"

#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <optional>

namespace sbx {

class Gate {
public:
    explicit Gate(int64_t slots) : free_(slots) {}

    // Blocks until a slot is free, then holds it (true), or until `cancel`
    // (may be null) fires first (false, no slot held).
    bool enter(runner::CancelToken *cancel = nullptr) {
        // Taken before the gate's lock: a firing thread holds the token's
        // lock while it wakes this one, then takes the gate's.
        std::optional<runner::CancelToken::Watch> watch;
        if (cancel)
            watch.emplace(*cancel, [this] {
                std::lock_guard lock(mutex_);
                changed_.notify_all();
            });
        std::unique_lock lock(mutex_);
        changed_.wait(lock, [&] { return free_ > 0 || (cancel && cancel->cancelled()); });
        if (free_ == 0)
            return false;
        --free_;
        ++active_;
        return true;
    }
    void leave() {
        {
            std::lock_guard lock(mutex_);
            ++free_;
            --active_;
        }
        changed_.notify_all();
    }
    // A slot held for a scope: entered on construction (unless `cancel`
    // fired while it waited), left on destruction.
    class Slot {
    public:
        explicit Slot(Gate &gate, runner::CancelToken *cancel = nullptr)
            : gate_(gate.enter(cancel) ? &gate : nullptr) {}
        ~Slot() {
            if (gate_)
                gate_->leave();
        }
        Slot(const Slot &) = delete;
        Slot &operator=(const Slot &) = delete;

    private:
        Gate *gate_;
    };

    // Blocks until no run holds a slot.
    void drain() {
        std::unique_lock lock(mutex_);
        changed_.wait(lock, [&] { return active_ == 0; });
    }
    int64_t active() const {
        std::lock_guard lock(mutex_);
        return active_;
    }

private:
    mutable std::mutex mutex_;
    std::condition_variable changed_;
    int64_t free_;
    int64_t active_ = 0;
};

} // namespace sbx
