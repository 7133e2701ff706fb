#include "in_flight.hpp"

#include <boost/json/serialize.hpp>

namespace sbx::host {

InFlight::Ticket InFlight::add(const boost::json::value &id, std::shared_ptr<CancelToken> token) {
    const std::lock_guard lock(mutex_);
    return entries_.insert(entries_.end(), Entry{boost::json::serialize(id), std::move(token)});
}

void InFlight::cancel(const boost::json::value &id) {
    const std::string key = boost::json::serialize(id);
    const std::lock_guard lock(mutex_);
    for (Entry &e : entries_)
        if (e.key == key) {
            e.cancelled = true;
            if (e.token)
                e.token->cancel();
        }
}

bool InFlight::finish(Ticket ticket) {
    const std::lock_guard lock(mutex_);
    const bool cancelled = ticket->cancelled;
    entries_.erase(ticket);
    return cancelled;
}

} // namespace sbx::host
