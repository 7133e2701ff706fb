#include "runner/session_files.hpp"

#include "runner/init_channel.hpp"
#include "runner/job.hpp"
#include "util/error.hpp"

namespace sbx::runner {

namespace {

using namespace std::chrono_literals;

// sbx-init writes or reads at memory speed; this only bounds a stuck box.
constexpr auto files_timeout = 30s;

[[noreturn]] void container_failed(SessionLease &session, const std::string &what) {
    session.fail("ended: its container failed (" + what + ")");
    throw ApiError(SBX_E_INTERNAL, "session " + session->id() + " ended: " + what);
}

} // namespace

void write_session_files(SessionLease &session, std::vector<wire::File> files) {
    const Session::Turn turn(*session);
    session->check_open(); // it may have ended while this call waited
    std::optional<Failure> failure;
    InitChannel channel(session->box(), 0);
    try {
        failure = channel.run(files_job(std::move(files)), Clock::now() + files_timeout);
    } catch (const std::exception &e) {
        container_failed(session, e.what());
    }
    if (!channel.idle() || !channel.drained())
        container_failed(session, failure ? failure->message : "no answer");
    if (failure)
        throw ApiError(SBX_E_INVALID_REQUEST, "files: " + failure->message);
}

wire::FileList read_session_files(SessionLease &session, const wire::Collect &collect) {
    const Session::Turn turn(*session);
    session->check_open(); // it may have ended while this call waited
    wire::FileList list;
    std::optional<Failure> failure;
    InitChannel channel(session->box(), 0);
    try {
        failure = channel.read_files(collect, Clock::now() + files_timeout, list);
    } catch (const std::exception &e) {
        container_failed(session, e.what());
    }
    if (failure || !channel.drained())
        container_failed(session, failure ? failure->message : "extra bytes after the file list");
    return list;
}

} // namespace sbx::runner
