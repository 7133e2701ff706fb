// Idle keep-alive connections, kept for reuse. Thread-safe.
#pragma once

#include "docker/connection.hpp"

#include <cstddef>
#include <memory>
#include <mutex>
#include <vector>

namespace sbx::docker::detail {

class ConnectionPool {
public:
    ConnectionPool(std::size_t max_idle, Clock::duration max_idle_time)
        : max_idle_(max_idle), max_idle_time_(max_idle_time) {}

    // The most recently used idle connection that still looks alive, or
    // nullptr. Dead or too-old ones met on the way are closed.
    std::unique_ptr<Connection> take();

    // Keeps a connection whose last exchange ended cleanly; beyond
    // max_idle connections it is closed instead.
    void put(std::unique_ptr<Connection> conn);

    std::size_t idle_count();

private:
    const std::size_t max_idle_;
    const Clock::duration max_idle_time_;
    std::mutex mutex_;
    std::vector<std::unique_ptr<Connection>> idle_;
};

} // namespace sbx::docker::detail
