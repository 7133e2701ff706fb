// A box is one started container whose PID 1 is sbx-init, seen only as a
// framed byte channel. The execution flow talks to this interface alone, so a
// remote engine or a cluster backend can stand behind it later.
#pragma once

#include "runner/limits.hpp"

#include <chrono>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>

namespace sbx::runner {

using Clock = std::chrono::steady_clock;

struct BoxSpec {
    std::string image;
    Limits limits;
    bool network = false;
    std::string runtime = "runc";
    std::map<std::string, std::string> labels;
};

// The box could not be made or reached: never the user's fault.
struct SetupError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

class Box {
public:
    virtual ~Box() = default; // removes the container
    virtual const std::string &id() const = 0;
    // Bytes to sbx-init's stdin. Throws SetupError when the channel is gone.
    virtual void send(std::string_view bytes, Clock::time_point deadline) = 0;
    // Appends bytes that sbx-init wrote on its stdout; its stderr goes to the
    // log. Returns false once the channel closed; true with nothing appended
    // when the deadline passed.
    virtual bool receive(std::string &out, Clock::time_point deadline) = 0;
    // Makes a receive() blocked on another thread return now (true, nothing
    // appended), or the next one if none is blocked. Any thread; quick.
    virtual void interrupt() = 0;
    // Whether the engine saw the kernel's OOM killer in this box. Asked once
    // the channel closed; throws SetupError when the engine cannot be reached
    // (it went away, which is what closed the channel).
    virtual bool oom_killed() = 0;
};

class Backend {
public:
    virtual ~Backend() = default;
    // Creates, attaches and starts a box. Throws SetupError.
    virtual std::unique_ptr<Box> start(const BoxSpec &spec, Clock::time_point deadline) = 0;
};

} // namespace sbx::runner
