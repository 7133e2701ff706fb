#include "docker/pool.hpp"

namespace sbx::docker::detail {

std::unique_ptr<Connection> ConnectionPool::take() {
    for (;;) {
        std::unique_ptr<Connection> conn;
        {
            std::lock_guard lock(mutex_);
            if (idle_.empty())
                return nullptr;
            conn = std::move(idle_.back());
            idle_.pop_back();
        }
        // Checked outside the lock; a rejected one is closed here too.
        if (Clock::now() - conn->idle_since < max_idle_time_ && conn->looks_alive())
            return conn;
    }
}

void ConnectionPool::put(std::unique_ptr<Connection> conn) {
    conn->idle_since = Clock::now();
    std::lock_guard lock(mutex_);
    if (idle_.size() < max_idle_)
        idle_.push_back(std::move(conn));
    // else: closed by conn's destructor
}

std::size_t ConnectionPool::idle_count() {
    std::lock_guard lock(mutex_);
    return idle_.size();
}

} // namespace sbx::docker::detail
