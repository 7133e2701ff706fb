// The tool calls that are running, by request id, so that
// notifications/cancelled can suppress their responses: ABI 1.0 cannot stop a
// run (a cancel comes in 1.1), and MCP says a cancelled request gets no
// response.
#pragma once

#include <boost/json/value.hpp>

#include <list>
#include <mutex>
#include <string>

namespace sbx::host {

class InFlight {
    struct Entry {
        std::string key; // the id serialized, so that 1 and "1" differ
        bool cancelled = false;
    };

public:
    using Ticket = std::list<Entry>::iterator;

    Ticket add(const boost::json::value &id);
    // Marks the running calls with this id; an unknown id is ignored.
    void cancel(const boost::json::value &id);
    // Forgets the call; true when it was cancelled meanwhile.
    bool finish(Ticket ticket);

private:
    std::mutex mutex_;
    std::list<Entry> entries_;
};

} // namespace sbx::host
