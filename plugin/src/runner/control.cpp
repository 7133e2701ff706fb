#include "runner/control.hpp"

namespace sbx::runner {

void CancelToken::cancel() {
    if (fired_.exchange(true, std::memory_order_acq_rel))
        return;
    std::lock_guard lock(mutex_);
    for (auto &wake : watchers_)
        wake();
}

CancelToken::Watch::Watch(CancelToken &token, std::function<void()> wake) : token_(&token) {
    std::lock_guard lock(token.mutex_);
    entry_ = token.watchers_.insert(token.watchers_.end(), std::move(wake));
}

CancelToken::Watch::~Watch() {
    if (!token_)
        return;
    std::lock_guard lock(token_->mutex_);
    token_->watchers_.erase(entry_);
}

} // namespace sbx::runner
