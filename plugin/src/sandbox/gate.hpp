// Bounds how many runs use the engine at once (config max_concurrency).
#pragma once

#include <condition_variable>
#include <cstdint>
#include <mutex>

namespace sbx {

class Gate {
public:
    explicit Gate(int64_t slots) : free_(slots) {}

    // Blocks until a slot is free. Returns once the caller holds one.
    void enter() {
        std::unique_lock lock(mutex_);
        changed_.wait(lock, [&] { return free_ > 0; });
        --free_;
        ++active_;
    }
    void leave() {
        {
            std::lock_guard lock(mutex_);
            ++free_;
            --active_;
        }
        changed_.notify_all();
    }
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
