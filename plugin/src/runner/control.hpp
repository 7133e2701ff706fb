// What a host may do to a run while it goes (ABI 1.1): watch its output as
// it arrives, and stop it.
#pragma once

#include <atomic>
#include <functional>
#include <list>
#include <mutex>
#include <string_view>

namespace sbx::runner {

// A cancel that any thread may fire. A run watches it: the run's wake
// function is called on the firing thread, so that a run blocked on its
// channel notices at once instead of at its next read.
class CancelToken {
public:
    // Idempotent. Calls every current watcher's wake function.
    void cancel();
    bool cancelled() const { return fired_.load(std::memory_order_acquire); }

    // While a Watch lives its wake function may be called (at most once);
    // once its destructor returns it never is.
    class Watch {
    public:
        Watch(CancelToken &token, std::function<void()> wake);
        Watch(const Watch &) = delete;
        Watch &operator=(const Watch &) = delete;
        ~Watch();

    private:
        CancelToken *token_;
        std::list<std::function<void()>>::iterator entry_;
    };

private:
    std::atomic<bool> fired_{false};
    std::mutex mutex_; // guards watchers_, held while they are woken
    std::list<std::function<void()>> watchers_;
};

// Output streams as the ABI numbers them (SBX_STREAM_*).
enum class Stream : int { out = 1, err = 2, compile_out = 3, compile_err = 4 };

struct RunControl {
    CancelToken *cancel = nullptr; // may be null
    // Each chunk of output as it arrives, on the run's thread; returning
    // false cancels the run. May be empty.
    std::function<bool(Stream, std::string_view)> on_output;
};

} // namespace sbx::runner
