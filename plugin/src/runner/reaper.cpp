#include "runner/reaper.hpp"

namespace sbx::runner {

Reaper::Reaper() : thread_([this] { loop(); }) {}

Reaper::~Reaper() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    thread_.join();
}

void Reaper::dispose(std::unique_ptr<Box> box) {
    {
        std::lock_guard lock(mutex_);
        queue_.push_back(std::move(box));
    }
    wake_.notify_all();
}

void Reaper::loop() {
    std::unique_lock lock(mutex_);
    while (true) {
        wake_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
        if (queue_.empty())
            return; // stopping, and nothing left to remove
        std::unique_ptr<Box> box = std::move(queue_.front());
        queue_.pop_front();
        lock.unlock();
        box.reset(); // the box's destructor removes its container
        lock.lock();
    }
}

} // namespace sbx::runner
