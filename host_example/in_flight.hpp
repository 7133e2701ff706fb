// The tool calls that are running, by request id, so that
// notifications/cancelled can stop them (their cancel token, ABI 1.1) and
// suppress their responses, as MCP says a cancelled request gets none.
#pragma once

#include "plugin.hpp"

#include <boost/json/value.hpp>

#include <list>
#include <mutex>
#include <string>

namespace sbx::host {

class InFlight {
    struct Entry {
        std::string key; // the id serialized, so that 1 and "1" differ
        std::shared_ptr<CancelToken> token; // null when the plugin speaks 1.0
        bool cancelled = false;
    };

public:
    using Ticket = std::list<Entry>::iterator;

    Ticket add(const boost::json::value &id, std::shared_ptr<CancelToken> token);
    // Marks the running calls with this id and fires their tokens; an
    // unknown id is ignored.
    void cancel(const boost::json::value &id);
    // Forgets the call; true when it was cancelled meanwhile.
    bool finish(Ticket ticket);

private:
    std::mutex mutex_;
    std::list<Entry> entries_;
};

} // namespace sbx::host
