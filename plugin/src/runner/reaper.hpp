// Removes finished boxes on a thread of its own, so that a run's result goes
// back to the caller as soon as sbx-init reported, not after the engine
// removed the container.
#pragma once

#include "runner/box.hpp"

#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>

namespace sbx::runner {

class Reaper {
public:
    Reaper();
    ~Reaper(); // removes every box still queued, then joins
    Reaper(const Reaper &) = delete;
    Reaper &operator=(const Reaper &) = delete;

    void dispose(std::unique_ptr<Box> box);

private:
    void loop();
    std::mutex mutex_;
    std::condition_variable wake_;
    std::deque<std::unique_ptr<Box>> queue_;
    bool stopping_ = false;
    std::thread thread_;
};

} // namespace sbx::runner
