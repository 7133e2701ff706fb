#include "protocol/wire.hpp"

#include <limits>

namespace sbx::wire {
namespace {

// Bytes a length prefix takes; also the smallest encoded string or vector.
constexpr size_t u32_size = 4;
// Buffer memory a FrameReader keeps between frames.
constexpr size_t keep_capacity = 1024 * 1024;

bool known_type(uint8_t type) {
    return type >= static_cast<uint8_t>(MsgType::hello) &&
           type <= static_cast<uint8_t>(MsgType::files);
}

// Appends little-endian fixed-width fields to a body.
class Writer {
public:
    void u8(uint8_t v) { out_.push_back(static_cast<char>(v)); }
    void boolean(bool v) { u8(v ? 1 : 0); }
    void u32(uint32_t v) { little_endian(v, 4); }
    void i32(int32_t v) { u32(static_cast<uint32_t>(v)); }
    void u64(uint64_t v) { little_endian(v, 8); }

    void bytes(std::string_view s) {
        u32(checked_count(s.size()));
        out_.append(s);
    }

    void strings(const std::vector<std::string> &list) {
        u32(checked_count(list.size()));
        for (const auto &s : list) bytes(s);
    }

    template <typename T, typename Fn> void list(const std::vector<T> &items, Fn each) {
        u32(checked_count(items.size()));
        for (const auto &item : items) each(*this, item);
    }

    std::string take() { return std::move(out_); }

private:
    void little_endian(uint64_t v, int width) {
        for (int i = 0; i < width; ++i) u8(static_cast<uint8_t>(v >> (8 * i)));
    }

    static uint32_t checked_count(size_t n) {
        if (n > std::numeric_limits<uint32_t>::max())
            throw std::length_error("sbx wire: field larger than 4 GiB");
        return static_cast<uint32_t>(n);
    }

    std::string out_;
};

// Reads fields back, refusing to run past the end of the body.
class Reader {
public:
    Reader(std::string_view body, const char *what) : in_(body), what_(what) {}

    uint8_t u8() { return static_cast<uint8_t>(take(1)[0]); }
    uint32_t u32() { return static_cast<uint32_t>(little_endian(4)); }
    int32_t i32() { return static_cast<int32_t>(u32()); }
    uint64_t u64() { return little_endian(8); }

    bool boolean() {
        uint8_t v = u8();
        if (v > 1) fail("boolean byte is " + std::to_string(v));
        return v == 1;
    }

    std::string bytes() {
        uint32_t n = u32();
        return std::string(take(n));
    }

    // A vector's element count, refused when the rest of the body could not
    // hold that many elements of at least min_size bytes each.
    uint32_t count(size_t min_size) {
        uint32_t n = u32();
        if (n > remaining() / min_size)
            fail("count " + std::to_string(n) + " exceeds the " + std::to_string(remaining()) +
                 " bytes left");
        return n;
    }

    std::vector<std::string> strings() {
        std::vector<std::string> list(count(u32_size));
        for (auto &s : list) s = bytes();
        return list;
    }

    void finish() const {
        if (remaining() != 0) fail(std::to_string(remaining()) + " trailing bytes");
    }

    [[noreturn]] void fail(const std::string &why) const {
        throw DecodeError(std::string("sbx wire: bad ") + what_ + ": " + why);
    }

private:
    size_t remaining() const { return in_.size() - pos_; }

    std::string_view take(size_t n) {
        if (n > remaining())
            fail("truncated: needs " + std::to_string(n) + " bytes, " +
                 std::to_string(remaining()) + " left");
        std::string_view part = in_.substr(pos_, n);
        pos_ += n;
        return part;
    }

    uint64_t little_endian(int width) {
        std::string_view raw = take(static_cast<size_t>(width));
        uint64_t v = 0;
        for (int i = 0; i < width; ++i)
            v |= static_cast<uint64_t>(static_cast<uint8_t>(raw[i])) << (8 * i);
        return v;
    }

    std::string_view in_;
    size_t pos_ = 0;
    const char *what_;
};

uint32_t big_endian_u32(std::string_view raw) {
    uint32_t v = 0;
    for (int i = 0; i < 4; ++i) v = (v << 8) | static_cast<uint8_t>(raw[i]);
    return v;
}

} // namespace

std::string encode_frame(MsgType type, std::string_view body) {
    if (body.size() >= max_frame_bytes)
        throw std::length_error("sbx wire: frame body of " + std::to_string(body.size()) +
                                " bytes exceeds the frame limit");
    uint32_t length = static_cast<uint32_t>(body.size() + 1);
    std::string frame;
    frame.reserve(4 + length);
    for (int shift = 24; shift >= 0; shift -= 8)
        frame.push_back(static_cast<char>((length >> shift) & 0xff));
    frame.push_back(static_cast<char>(type));
    frame.append(body);
    return frame;
}

void FrameReader::feed(std::string_view bytes) {
    // Drop consumed bytes once they are at least half of the buffer, so the
    // buffer stays bounded and each byte is moved a constant number of times.
    if (offset_ > 0 && offset_ * 2 >= buffer_.size()) {
        buffer_.erase(0, offset_);
        offset_ = 0;
    }
    buffer_.append(bytes);
}

std::optional<Frame> FrameReader::next() {
    std::string_view pending = std::string_view(buffer_).substr(offset_);
    if (pending.size() < 4) return std::nullopt;
    // The header is checked before the body arrives, so a bad peer cannot make
    // us buffer an oversized frame.
    uint32_t length = big_endian_u32(pending);
    if (length == 0) throw DecodeError("sbx wire: zero-length frame");
    if (length > max_bytes_)
        throw DecodeError("sbx wire: frame of " + std::to_string(length) +
                          " bytes exceeds the limit of " + std::to_string(max_bytes_));
    if (pending.size() < 5) return std::nullopt;
    uint8_t type = static_cast<uint8_t>(pending[4]);
    if (!known_type(type))
        throw DecodeError("sbx wire: unknown message type " + std::to_string(type));
    if (pending.size() - 4 < length) return std::nullopt;
    Frame frame{static_cast<MsgType>(type), std::string(pending.substr(5, length - 1))};
    offset_ += 4 + static_cast<size_t>(length);
    if (offset_ == buffer_.size()) {
        // Give back the memory of a large frame (a job may be 100+ MiB) instead
        // of keeping it for the life of a session.
        if (buffer_.capacity() > keep_capacity) std::string().swap(buffer_);
        buffer_.clear();
        offset_ = 0;
    }
    return frame;
}

std::string encode_hello(uint32_t version) {
    Writer w;
    w.u32(version);
    return w.take();
}

uint32_t decode_hello(std::string_view body) {
    Reader r(body, "hello");
    uint32_t version = r.u32();
    r.finish();
    return version;
}

std::string encode_job(const Job &job) {
    Writer w;
    w.list(job.files, [](Writer &out, const File &f) {
        out.bytes(f.path);
        out.bytes(f.content);
        out.u32(f.mode);
    });
    w.bytes(job.stdin_data);
    w.strings(job.env);
    w.list(job.stages, [](Writer &out, const Stage &s) {
        out.bytes(s.name);
        out.strings(s.argv);
        out.u32(s.time_ms);
        out.boolean(s.feed_stdin);
        out.boolean(s.resident);
        out.bytes(s.cell);
    });
    w.u64(job.max_output_bytes);
    w.u64(job.max_file_bytes);
    w.bytes(job.workdir);
    return w.take();
}

Job decode_job(std::string_view body) {
    // Smallest encodings: a file is two empty strings and a mode; a stage is
    // an empty name, an empty argv, a time, two flags and an empty cell.
    constexpr size_t min_file = 3 * u32_size;
    constexpr size_t min_stage = 4 * u32_size + 2;
    Reader r(body, "job");
    Job job;
    job.files.resize(r.count(min_file));
    for (auto &f : job.files) {
        f.path = r.bytes();
        f.content = r.bytes();
        f.mode = r.u32();
    }
    job.stdin_data = r.bytes();
    job.env = r.strings();
    job.stages.resize(r.count(min_stage));
    for (auto &s : job.stages) {
        s.name = r.bytes();
        s.argv = r.strings();
        s.time_ms = r.u32();
        s.feed_stdin = r.boolean();
        s.resident = r.boolean();
        s.cell = r.bytes();
    }
    job.max_output_bytes = r.u64();
    job.max_file_bytes = r.u64();
    job.workdir = r.bytes();
    r.finish();
    return job;
}

std::string encode_report(const StageReport &report) {
    Writer w;
    w.u32(report.index);
    w.bytes(report.name);
    w.i32(report.exit_code);
    w.i32(report.signal);
    w.boolean(report.started);
    w.boolean(report.timed_out);
    w.boolean(report.output_limited);
    w.boolean(report.oom_killed);
    w.boolean(report.stdout_truncated);
    w.boolean(report.stderr_truncated);
    w.u64(report.wall_ms);
    w.u64(report.cpu_ms);
    w.u64(report.memory_peak_kb);
    w.u64(report.stdout_bytes);
    w.u64(report.stderr_bytes);
    w.bytes(report.error);
    w.boolean(report.interpreter_started);
    w.boolean(report.interpreter_lost);
    return w.take();
}

StageReport decode_report(std::string_view body) {
    Reader r(body, "stage report");
    StageReport report;
    report.index = r.u32();
    report.name = r.bytes();
    report.exit_code = r.i32();
    report.signal = r.i32();
    report.started = r.boolean();
    report.timed_out = r.boolean();
    report.output_limited = r.boolean();
    report.oom_killed = r.boolean();
    report.stdout_truncated = r.boolean();
    report.stderr_truncated = r.boolean();
    report.wall_ms = r.u64();
    report.cpu_ms = r.u64();
    report.memory_peak_kb = r.u64();
    report.stdout_bytes = r.u64();
    report.stderr_bytes = r.u64();
    report.error = r.bytes();
    report.interpreter_started = r.boolean();
    report.interpreter_lost = r.boolean();
    r.finish();
    return report;
}

std::string encode_output(const Output &output) {
    Writer w;
    w.u8(output.stage);
    w.u8(output.stream);
    w.bytes(output.data);
    return w.take();
}

Output decode_output(std::string_view body) {
    Reader r(body, "output");
    Output output;
    output.stage = r.u8();
    output.stream = r.u8();
    if (output.stream != 1 && output.stream != 2)
        r.fail("stream " + std::to_string(output.stream) + " is neither 1 nor 2");
    output.data = r.bytes();
    r.finish();
    return output;
}

std::string encode_clean(const CleanReport &report) {
    Writer w;
    w.boolean(report.ok);
    w.bytes(report.why);
    w.u32(report.processes_killed);
    w.u64(report.entries_removed);
    w.u32(report.ipc_removed);
    return w.take();
}

CleanReport decode_clean(std::string_view body) {
    Reader r(body, "clean report");
    CleanReport report;
    report.ok = r.boolean();
    report.why = r.bytes();
    report.processes_killed = r.u32();
    report.entries_removed = r.u64();
    report.ipc_removed = r.u32();
    r.finish();
    return report;
}

std::string encode_collect(const Collect &collect) {
    Writer w;
    w.strings(collect.patterns);
    w.u64(collect.max_total_bytes);
    w.u32(collect.max_entries);
    w.boolean(collect.list_only);
    return w.take();
}

Collect decode_collect(std::string_view body) {
    Reader r(body, "collect");
    Collect collect;
    collect.patterns = r.strings();
    collect.max_total_bytes = r.u64();
    collect.max_entries = r.u32();
    collect.list_only = r.boolean();
    r.finish();
    return collect;
}

std::string encode_files(const FileList &list) {
    Writer w;
    w.list(list.files, [](Writer &out, const FileEntry &f) {
        out.bytes(f.path);
        out.u64(f.size);
        out.boolean(f.returned);
        out.bytes(f.content);
    });
    w.boolean(list.entries_truncated);
    w.bytes(list.error);
    return w.take();
}

FileList decode_files(std::string_view body) {
    // Smallest entry: an empty path, a size, a flag and empty content.
    constexpr size_t min_entry = 2 * u32_size + 8 + 1;
    Reader r(body, "file list");
    FileList list;
    list.files.resize(r.count(min_entry));
    for (auto &f : list.files) {
        f.path = r.bytes();
        f.size = r.u64();
        f.returned = r.boolean();
        f.content = r.bytes();
    }
    list.entries_truncated = r.boolean();
    list.error = r.bytes();
    r.finish();
    return list;
}

std::string encode_string(std::string_view s) {
    Writer w;
    w.bytes(s);
    return w.take();
}

std::string decode_string(std::string_view body) {
    Reader r(body, "string");
    std::string s = r.bytes();
    r.finish();
    return s;
}

} // namespace sbx::wire
