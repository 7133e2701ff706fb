// The framed channel between the plugin and sbx-init (PID 1 of a container).
//
// Both directions carry frames: a 4-byte big-endian payload length, then the
// payload, whose first byte is the message type. A job never depends on EOF to
// end, so one container can serve one job, many jobs (sessions, recycled pool
// members) or a cancel, over the same protocol.
//
// Integers inside payloads are little-endian fixed width; strings and byte
// blobs are a u32 length followed by the bytes. This file is compiled into
// both the plugin and the static sbx-init, so it uses only the standard
// library.
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace sbx::wire {

// 2 added reset/clean (recycling a container between jobs); 3 added resident
// stages (a REPL kept between the jobs of a session) and collect/files
// (reading the workspace back), and changed the job and report encodings.
// sbx-init ships with the plugin, so the plugin drives only its own version.
inline constexpr uint32_t protocol_version = 3;
inline constexpr uint32_t min_protocol_version = 3;
// Largest frame either side accepts; a job carries files and stdin.
inline constexpr uint32_t max_frame_bytes = 128u * 1024u * 1024u;

enum class MsgType : uint8_t {
    hello = 1,      // init -> plugin: u32 protocol_version; sent once at start
    job = 2,        // plugin -> init: an encoded Job; the next one only after
                    // this one ended (job_end or fatal)
    cancel = 3,     // plugin -> init: no body; stop the current job (the running
                    // stage is killed and reported, no later stage runs); ignored
                    // between jobs
    output = 4,     // init -> plugin: u8 stage index, u8 stream (1 out, 2 err), bytes
    stage_end = 5,  // init -> plugin: an encoded StageReport
    job_end = 6,    // init -> plugin: no body; every stage of the job is reported
    fatal = 7,      // init -> plugin: a string; init could not run the job (it
                    // ends the job instead of job_end). After a malformed frame
                    // init exits (status 2) right after sending it.
    // Protocol 2:
    reset = 8,      // plugin -> init: no body; only between jobs (after job_end
                    // or fatal). Init kills every other process, empties every
                    // writable mount, removes every SysV IPC object, then
                    // verifies that nothing is left and answers with clean.
    clean = 9,      // init -> plugin: an encoded CleanReport, the answer to
                    // reset. When it is not ok, init exits right after sending
                    // it: a container that is not clean takes no further job.
    // Protocol 3:
    collect = 10,   // plugin -> init: an encoded Collect; only between jobs
    files = 11,     // init -> plugin: an encoded FileList, the answer to collect
};

struct DecodeError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

struct Frame {
    MsgType type;
    std::string body; // the payload after the type byte
};

// Wraps a body into a frame (length prefix + type byte + body).
std::string encode_frame(MsgType type, std::string_view body);

// Incremental frame parser: feed bytes as they arrive, pull whole frames.
class FrameReader {
public:
    explicit FrameReader(uint32_t max_bytes = max_frame_bytes) : max_bytes_(max_bytes) {}
    void feed(std::string_view bytes);
    // Next complete frame, or nullopt when more bytes are needed. Throws
    // DecodeError on a zero-length or oversized frame or an unknown type.
    std::optional<Frame> next();
    size_t buffered() const { return buffer_.size() - offset_; }

private:
    uint32_t max_bytes_;
    std::string buffer_;
    size_t offset_ = 0;
};

struct File {
    std::string path; // relative to the workspace, already validated by the plugin
    std::string content;
    uint32_t mode = 0644; // permission bits; only & 0777 is applied
};

struct Stage {
    std::string name;              // "compile" or "run"
    std::vector<std::string> argv; // argv[0] is looked up in PATH
    uint32_t time_ms = 0;          // wall-clock limit of this stage; 0: none
    bool feed_stdin = false;       // true: the job's stdin; false: /dev/null
    // A resident stage runs `cell` in an interpreter that outlives the job:
    // argv starts it when none with this argv is alive, and it keeps its
    // state for the next job's resident stage (see init/resident.hpp).
    bool resident = false;
    std::string cell;
};

struct Job {
    std::vector<File> files;
    std::string stdin_data;
    std::vector<std::string> env; // "NAME=value", the whole environment
    std::vector<Stage> stages;    // run in order; stop at the first that fails;
                                  // at most 256 (output frames use a u8 index)
    uint64_t max_output_bytes = 0; // per stage, stdout + stderr together; 0: no cap
    uint64_t max_file_bytes = 0;   // RLIMIT_FSIZE; 0: unchanged
    std::string workdir;           // absolute, e.g. "/workspace"
};

struct StageReport {
    uint32_t index = 0;
    std::string name;
    int32_t exit_code = -1; // -1 when killed by a signal or never started
    int32_t signal = 0;     // the terminating signal, 0 if none
    bool started = false;   // false: exec failed (message in `error`)
    bool timed_out = false;
    bool output_limited = false;
    bool oom_killed = false; // failed, and the cgroup's OOM killer acted meanwhile
    bool stdout_truncated = false;
    bool stderr_truncated = false;
    uint64_t wall_ms = 0;
    uint64_t cpu_ms = 0;
    uint64_t memory_peak_kb = 0;
    uint64_t stdout_bytes = 0; // bytes sent in output frames (after the cap)
    uint64_t stderr_bytes = 0;
    std::string error;         // why the stage could not start, if it did not
    // Resident stages only:
    bool interpreter_started = false; // a new interpreter ran this cell (no state)
    bool interpreter_lost = false;    // the interpreter ended during the cell (state gone)
};

// The answer to reset.
struct CleanReport {
    bool ok = false;               // verified: no other process, every writable
                                   // mount empty, no SysV IPC object
    std::string why;               // what could not be cleaned, when not ok
    uint32_t processes_killed = 0; // other processes found and killed
    uint64_t entries_removed = 0;  // files, directories, sockets, queues removed
    uint32_t ipc_removed = 0;      // SysV shared memory, semaphore, queue objects
};

// Which workspace files to send back. Patterns are workspace-relative: `*`
// and `?` stay within one path component, `**` spans components, `\\`
// escapes the next character.
struct Collect {
    std::vector<std::string> patterns;
    uint64_t max_total_bytes = 0; // content returned, all files together
    uint32_t max_entries = 0;     // files listed at most
    bool list_only = false;       // names and sizes, no content
};

struct FileEntry {
    std::string path; // relative to the workspace
    uint64_t size = 0;
    bool returned = false; // content holds the whole file
    std::string content;
};

// The answer to collect: regular files only (no symlink is followed), in
// path order; files past max_total_bytes are listed with returned false.
struct FileList {
    std::vector<FileEntry> files;
    bool entries_truncated = false; // more files matched than max_entries
    std::string error;              // the workspace could not be read
};

struct Output {
    uint8_t stage = 0;
    uint8_t stream = 1; // 1 stdout, 2 stderr
    std::string data;
};

std::string encode_hello(uint32_t version);
uint32_t decode_hello(std::string_view body);

std::string encode_job(const Job &job);
Job decode_job(std::string_view body); // throws DecodeError

std::string encode_report(const StageReport &report);
StageReport decode_report(std::string_view body); // throws DecodeError

std::string encode_output(const Output &output);
Output decode_output(std::string_view body); // throws DecodeError

std::string encode_clean(const CleanReport &report);
CleanReport decode_clean(std::string_view body); // throws DecodeError

std::string encode_collect(const Collect &collect);
Collect decode_collect(std::string_view body); // throws DecodeError

std::string encode_files(const FileList &list);
FileList decode_files(std::string_view body); // throws DecodeError

std::string encode_string(std::string_view s);   // for fatal
std::string decode_string(std::string_view body); // throws DecodeError

} // namespace sbx::wire
