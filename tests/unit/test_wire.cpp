// The plugin <-> sbx-init wire format: round trips, framing, and refusal of
// malformed input.
#include "protocol/wire.hpp"

#include <gtest/gtest.h>

#include <cstring>
#include <string>

namespace wire = sbx::wire;

namespace {

wire::Job sample_job() {
    wire::Job job;
    job.files = {{"main.py", "print(input())\n", 0644},
                 {"bin/run.sh", std::string("#!/bin/sh\0x\n", 12), 0755},
                 {"empty", "", 0600}};
    job.stdin_data = std::string("Alice\n\0\xff", 8);
    job.env = {"PATH=/usr/bin:/bin", "HOME=/workspace", "EMPTY="};
    job.stages = {{"compile", {"gcc", "-O2", "main.c"}, 30000, false},
                  {"run", {"./a.out", ""}, 5000, true},
                  {"cell", {"python3", "-u", "-c", "driver"}, 1000, true, true,
                   std::string("x = 1\n\0print(x)", 15)}};
    job.max_output_bytes = 100000;
    job.max_file_bytes = 64ull << 20;
    job.workdir = "/workspace";
    return job;
}

wire::StageReport sample_report() {
    wire::StageReport r;
    r.index = 1;
    r.name = "run";
    r.exit_code = -1;
    r.signal = 9;
    r.started = true;
    r.timed_out = true;
    r.output_limited = false;
    r.oom_killed = true;
    r.stdout_truncated = false;
    r.stderr_truncated = true;
    r.wall_ms = 1234;
    r.cpu_ms = 999;
    r.memory_peak_kb = 1ull << 40;
    r.stdout_bytes = 7;
    r.stderr_bytes = 0xffffffffffull;
    r.error = "cannot execute x: No such file or directory";
    r.interpreter_started = true;
    r.interpreter_lost = false;
    return r;
}

void expect_same(const wire::Job &a, const wire::Job &b) {
    ASSERT_EQ(a.files.size(), b.files.size());
    for (size_t i = 0; i < a.files.size(); ++i) {
        EXPECT_EQ(a.files[i].path, b.files[i].path);
        EXPECT_EQ(a.files[i].content, b.files[i].content);
        EXPECT_EQ(a.files[i].mode, b.files[i].mode);
    }
    EXPECT_EQ(a.stdin_data, b.stdin_data);
    EXPECT_EQ(a.env, b.env);
    ASSERT_EQ(a.stages.size(), b.stages.size());
    for (size_t i = 0; i < a.stages.size(); ++i) {
        EXPECT_EQ(a.stages[i].name, b.stages[i].name);
        EXPECT_EQ(a.stages[i].argv, b.stages[i].argv);
        EXPECT_EQ(a.stages[i].time_ms, b.stages[i].time_ms);
        EXPECT_EQ(a.stages[i].feed_stdin, b.stages[i].feed_stdin);
        EXPECT_EQ(a.stages[i].resident, b.stages[i].resident);
        EXPECT_EQ(a.stages[i].cell, b.stages[i].cell);
    }
    EXPECT_EQ(a.max_output_bytes, b.max_output_bytes);
    EXPECT_EQ(a.max_file_bytes, b.max_file_bytes);
    EXPECT_EQ(a.workdir, b.workdir);
}

void expect_same(const wire::StageReport &a, const wire::StageReport &b) {
    EXPECT_EQ(a.index, b.index);
    EXPECT_EQ(a.name, b.name);
    EXPECT_EQ(a.exit_code, b.exit_code);
    EXPECT_EQ(a.signal, b.signal);
    EXPECT_EQ(a.started, b.started);
    EXPECT_EQ(a.timed_out, b.timed_out);
    EXPECT_EQ(a.output_limited, b.output_limited);
    EXPECT_EQ(a.oom_killed, b.oom_killed);
    EXPECT_EQ(a.stdout_truncated, b.stdout_truncated);
    EXPECT_EQ(a.stderr_truncated, b.stderr_truncated);
    EXPECT_EQ(a.wall_ms, b.wall_ms);
    EXPECT_EQ(a.cpu_ms, b.cpu_ms);
    EXPECT_EQ(a.memory_peak_kb, b.memory_peak_kb);
    EXPECT_EQ(a.stdout_bytes, b.stdout_bytes);
    EXPECT_EQ(a.stderr_bytes, b.stderr_bytes);
    EXPECT_EQ(a.error, b.error);
    EXPECT_EQ(a.interpreter_started, b.interpreter_started);
    EXPECT_EQ(a.interpreter_lost, b.interpreter_lost);
}

wire::Collect sample_collect() {
    return {{"**/*.png", "src/\\*.py", ""}, 1ull << 33, 1000, true};
}

wire::FileList sample_files() {
    wire::FileList list;
    list.files = {{"a.png", 4, true, std::string("\x89P\0G", 4)},
                  {"big.bin", 1ull << 40, false, ""},
                  {"src/empty.py", 0, true, ""}};
    list.entries_truncated = true;
    list.error = "cannot open deep: Permission denied";
    return list;
}

void expect_same(const wire::Collect &a, const wire::Collect &b) {
    EXPECT_EQ(a.patterns, b.patterns);
    EXPECT_EQ(a.max_total_bytes, b.max_total_bytes);
    EXPECT_EQ(a.max_entries, b.max_entries);
    EXPECT_EQ(a.list_only, b.list_only);
}

void expect_same(const wire::FileList &a, const wire::FileList &b) {
    ASSERT_EQ(a.files.size(), b.files.size());
    for (size_t i = 0; i < a.files.size(); ++i) {
        EXPECT_EQ(a.files[i].path, b.files[i].path);
        EXPECT_EQ(a.files[i].size, b.files[i].size);
        EXPECT_EQ(a.files[i].returned, b.files[i].returned);
        EXPECT_EQ(a.files[i].content, b.files[i].content);
    }
    EXPECT_EQ(a.entries_truncated, b.entries_truncated);
    EXPECT_EQ(a.error, b.error);
}

std::string u32_le(uint32_t v) {
    std::string s(4, '\0');
    for (int i = 0; i < 4; ++i) s[i] = static_cast<char>(v >> (8 * i));
    return s;
}

std::string header(uint32_t length, uint8_t type) {
    std::string s;
    for (int shift = 24; shift >= 0; shift -= 8) s.push_back(static_cast<char>(length >> shift));
    s.push_back(static_cast<char>(type));
    return s;
}

// Every strict prefix of a valid body must be refused as truncated.
template <typename Decode> void expect_prefixes_refused(const std::string &body, Decode decode) {
    for (size_t n = 0; n < body.size(); ++n)
        EXPECT_THROW(decode(std::string_view(body).substr(0, n)), wire::DecodeError) << "prefix " << n;
}

} // namespace

TEST(Wire, HelloRoundTrip) {
    EXPECT_EQ(wire::decode_hello(wire::encode_hello(wire::protocol_version)), wire::protocol_version);
    EXPECT_EQ(wire::decode_hello(wire::encode_hello(0xdeadbeef)), 0xdeadbeefu);
}

TEST(Wire, CleanRoundTrip) {
    wire::CleanReport report{false, "2 processes survived", 3, 1u << 20, 4};
    const std::string body = wire::encode_clean(report);
    wire::CleanReport back = wire::decode_clean(body);
    EXPECT_EQ(back.ok, report.ok);
    EXPECT_EQ(back.why, report.why);
    EXPECT_EQ(back.processes_killed, report.processes_killed);
    EXPECT_EQ(back.entries_removed, report.entries_removed);
    EXPECT_EQ(back.ipc_removed, report.ipc_removed);
    expect_prefixes_refused(body, wire::decode_clean);
    EXPECT_THROW(wire::decode_clean(body + "x"), wire::DecodeError);
}

TEST(Wire, ResetAndCleanAreKnownTypes) {
    wire::FrameReader reader;
    reader.feed(wire::encode_frame(wire::MsgType::reset, ""));
    reader.feed(wire::encode_frame(wire::MsgType::clean, wire::encode_clean({true, "", 0, 0, 0})));
    auto reset = reader.next();
    ASSERT_TRUE(reset);
    EXPECT_EQ(reset->type, wire::MsgType::reset);
    auto clean = reader.next();
    ASSERT_TRUE(clean);
    EXPECT_EQ(clean->type, wire::MsgType::clean);
    EXPECT_TRUE(wire::decode_clean(clean->body).ok);
}

TEST(Wire, CollectRoundTrip) {
    const std::string body = wire::encode_collect(sample_collect());
    expect_same(wire::decode_collect(body), sample_collect());
    expect_same(wire::decode_collect(wire::encode_collect({})), wire::Collect{});
    expect_prefixes_refused(body, wire::decode_collect);
    EXPECT_THROW(wire::decode_collect(body + "x"), wire::DecodeError);
}

TEST(Wire, FilesRoundTrip) {
    const std::string body = wire::encode_files(sample_files());
    expect_same(wire::decode_files(body), sample_files());
    expect_same(wire::decode_files(wire::encode_files({})), wire::FileList{});
    expect_prefixes_refused(body, wire::decode_files);
    EXPECT_THROW(wire::decode_files(body + "x"), wire::DecodeError);
}

TEST(Wire, CollectAndFilesAreKnownTypes) {
    wire::FrameReader reader;
    reader.feed(wire::encode_frame(wire::MsgType::collect, wire::encode_collect(sample_collect())));
    reader.feed(wire::encode_frame(wire::MsgType::files, wire::encode_files(sample_files())));
    auto collect = reader.next();
    ASSERT_TRUE(collect);
    EXPECT_EQ(collect->type, wire::MsgType::collect);
    expect_same(wire::decode_collect(collect->body), sample_collect());
    auto files = reader.next();
    ASSERT_TRUE(files);
    EXPECT_EQ(files->type, wire::MsgType::files);
    expect_same(wire::decode_files(files->body), sample_files());
}

TEST(Wire, HelloIsLittleEndian) { EXPECT_EQ(wire::encode_hello(1), std::string("\1\0\0\0", 4)); }

TEST(Wire, JobRoundTrip) {
    wire::Job job = sample_job();
    expect_same(wire::decode_job(wire::encode_job(job)), job);
}

TEST(Wire, EmptyJobRoundTrip) {
    wire::Job job;
    expect_same(wire::decode_job(wire::encode_job(job)), job);
}

TEST(Wire, ReportRoundTrip) {
    wire::StageReport report = sample_report();
    expect_same(wire::decode_report(wire::encode_report(report)), report);
    wire::StageReport plain;
    expect_same(wire::decode_report(wire::encode_report(plain)), plain);
}

TEST(Wire, OutputRoundTrip) {
    wire::Output out{3, 2, std::string("a\0b\xff", 4)};
    wire::Output back = wire::decode_output(wire::encode_output(out));
    EXPECT_EQ(back.stage, 3);
    EXPECT_EQ(back.stream, 2);
    EXPECT_EQ(back.data, out.data);
}

TEST(Wire, StringRoundTrip) {
    EXPECT_EQ(wire::decode_string(wire::encode_string("cannot write ../x")), "cannot write ../x");
    EXPECT_EQ(wire::decode_string(wire::encode_string("")), "");
}

TEST(Wire, FrameLayout) {
    EXPECT_EQ(wire::encode_frame(wire::MsgType::job_end, ""), std::string("\0\0\0\1\6", 5));
    EXPECT_EQ(wire::encode_frame(wire::MsgType::fatal, "ab"), std::string("\0\0\0\3\7ab", 7));
}

TEST(Wire, FrameRoundTripWithEmptyBody) {
    wire::FrameReader reader;
    reader.feed(wire::encode_frame(wire::MsgType::cancel, ""));
    auto frame = reader.next();
    ASSERT_TRUE(frame);
    EXPECT_EQ(frame->type, wire::MsgType::cancel);
    EXPECT_EQ(frame->body, "");
    EXPECT_FALSE(reader.next());
    EXPECT_EQ(reader.buffered(), 0u);
}

TEST(Wire, FramesSplitAtEveryByteBoundary) {
    std::string a = wire::encode_frame(wire::MsgType::job, wire::encode_job(sample_job()));
    std::string b = wire::encode_frame(wire::MsgType::cancel, "");
    std::string c = wire::encode_frame(wire::MsgType::output, wire::encode_output({0, 1, "xyz"}));
    std::string stream = a + b + c;
    for (size_t split = 0; split <= stream.size(); ++split) {
        wire::FrameReader reader;
        std::vector<wire::Frame> frames;
        reader.feed(std::string_view(stream).substr(0, split));
        while (auto f = reader.next()) frames.push_back(*f);
        reader.feed(std::string_view(stream).substr(split));
        while (auto f = reader.next()) frames.push_back(*f);
        ASSERT_EQ(frames.size(), 3u) << "split at " << split;
        EXPECT_EQ(frames[0].type, wire::MsgType::job);
        expect_same(wire::decode_job(frames[0].body), sample_job());
        EXPECT_EQ(frames[1].type, wire::MsgType::cancel);
        EXPECT_EQ(wire::decode_output(frames[2].body).data, "xyz");
        EXPECT_EQ(reader.buffered(), 0u);
    }
}

TEST(Wire, FramesFedOneByteAtATime) {
    std::string stream;
    for (int i = 0; i < 50; ++i)
        stream += wire::encode_frame(wire::MsgType::output,
                                     wire::encode_output({0, 1, std::string(i, 'x')}));
    wire::FrameReader reader;
    int seen = 0;
    size_t most_buffered = 0;
    for (char byte : stream) {
        reader.feed(std::string_view(&byte, 1));
        most_buffered = std::max(most_buffered, reader.buffered());
        while (auto f = reader.next()) {
            EXPECT_EQ(wire::decode_output(f->body).data, std::string(seen, 'x'));
            ++seen;
        }
    }
    EXPECT_EQ(seen, 50);
    EXPECT_LT(most_buffered, 100u);
}

TEST(Wire, LongStreamThroughOneReader) {
    // Many frames through one reader, a partial frame always left behind.
    std::string frame = wire::encode_frame(wire::MsgType::output,
                                           wire::encode_output({0, 1, std::string(1000, 'y')}));
    wire::FrameReader reader;
    reader.feed(std::string_view(frame).substr(0, 10));
    for (int i = 0; i < 10000; ++i) {
        reader.feed(std::string_view(frame).substr(10));
        reader.feed(std::string_view(frame).substr(0, 10));
        auto f = reader.next();
        ASSERT_TRUE(f);
        ASSERT_EQ(f->body.size(), frame.size() - 5);
        ASSERT_FALSE(reader.next());
        ASSERT_EQ(reader.buffered(), 10u);
    }
}

TEST(Wire, LargeFrameInSmallChunks) {
    // 32 MiB in 4 KiB pieces: a reader that moved its whole buffer on every
    // feed would copy terabytes here and never finish.
    std::string frame = wire::encode_frame(wire::MsgType::job, std::string(32u << 20, 'j'));
    wire::FrameReader reader;
    std::string_view rest = frame;
    int frames = 0;
    while (!rest.empty()) {
        size_t n = std::min<size_t>(4096, rest.size());
        reader.feed(rest.substr(0, n));
        rest.remove_prefix(n);
        while (auto f = reader.next()) {
            EXPECT_EQ(f->body.size(), 32u << 20);
            ++frames;
        }
    }
    EXPECT_EQ(frames, 1);
    EXPECT_EQ(reader.buffered(), 0u);
}

TEST(Wire, ZeroLengthFrameRefused) {
    wire::FrameReader reader;
    reader.feed(std::string("\0\0\0\0", 4));
    EXPECT_THROW(reader.next(), wire::DecodeError);
}

TEST(Wire, OversizedFrameRefusedFromItsHeader) {
    wire::FrameReader reader(1000);
    reader.feed(header(1001, 4).substr(0, 4)); // only the length: no need to wait for the body
    EXPECT_THROW(reader.next(), wire::DecodeError);

    wire::FrameReader at_limit(1000);
    at_limit.feed(header(1000, 7) + std::string(999, 'z'));
    auto frame = at_limit.next();
    ASSERT_TRUE(frame);
    EXPECT_EQ(frame->body.size(), 999u);

    wire::FrameReader huge;
    huge.feed(header(0xffffffffu, 2));
    EXPECT_THROW(huge.next(), wire::DecodeError);
}

TEST(Wire, UnknownTypeRefused) {
    for (uint8_t type : {0, 12, 99, 255}) {
        wire::FrameReader reader;
        reader.feed(header(1, type));
        EXPECT_THROW(reader.next(), wire::DecodeError) << int(type);
    }
}

TEST(Wire, IncompleteFrameWaits) {
    wire::FrameReader reader;
    std::string frame = wire::encode_frame(wire::MsgType::fatal, wire::encode_string("why"));
    reader.feed(std::string_view(frame).substr(0, frame.size() - 1));
    EXPECT_FALSE(reader.next());
    EXPECT_EQ(reader.buffered(), frame.size() - 1);
}

TEST(Wire, EncodeRefusesBodyOverTheLimit) {
    std::string body(wire::max_frame_bytes, 'x');
    EXPECT_THROW(wire::encode_frame(wire::MsgType::job, body), std::length_error);
    body.pop_back();
    EXPECT_EQ(wire::encode_frame(wire::MsgType::job, body).size(), 4u + wire::max_frame_bytes);
}

TEST(Wire, TruncatedBodiesRefused) {
    expect_prefixes_refused(wire::encode_job(sample_job()), wire::decode_job);
    expect_prefixes_refused(wire::encode_report(sample_report()), wire::decode_report);
    expect_prefixes_refused(wire::encode_output({1, 1, "data"}), wire::decode_output);
    expect_prefixes_refused(wire::encode_string("text"), wire::decode_string);
    expect_prefixes_refused(wire::encode_hello(1), wire::decode_hello);
}

TEST(Wire, TrailingGarbageRefused) {
    EXPECT_THROW(wire::decode_job(wire::encode_job(sample_job()) + "x"), wire::DecodeError);
    EXPECT_THROW(wire::decode_report(wire::encode_report(sample_report()) + "x"), wire::DecodeError);
    EXPECT_THROW(wire::decode_output(wire::encode_output({0, 1, "a"}) + "x"), wire::DecodeError);
    EXPECT_THROW(wire::decode_string(wire::encode_string("a") + "x"), wire::DecodeError);
    EXPECT_THROW(wire::decode_hello(wire::encode_hello(1) + "x"), wire::DecodeError);
}

TEST(Wire, AbsurdCountsRefused) {
    // A job claiming 2^32-1 files in a few bytes must fail fast, not allocate.
    EXPECT_THROW(wire::decode_job(u32_le(0xffffffffu) + std::string(100, '\0')), wire::DecodeError);
    // A file count that 12-byte files could not fill.
    EXPECT_THROW(wire::decode_job(u32_le(9) + std::string(100, '\0')), wire::DecodeError);
    // A string longer than the body.
    EXPECT_THROW(wire::decode_string(u32_le(5) + "abcd"), wire::DecodeError);
    EXPECT_THROW(wire::decode_string(u32_le(0xffffffffu)), wire::DecodeError);
    // An env count past the rest of the body.
    std::string no_files = u32_le(0) + u32_le(0);
    EXPECT_THROW(wire::decode_job(no_files + u32_le(1000000) + std::string(64, '\0')),
                 wire::DecodeError);
    // A file list claiming more 17-byte entries than the body could hold.
    EXPECT_THROW(wire::decode_files(u32_le(4) + std::string(60, '\0')), wire::DecodeError);
    EXPECT_THROW(wire::decode_collect(u32_le(0xffffffffu) + std::string(20, '\0')),
                 wire::DecodeError);
}

TEST(Wire, BadFieldValuesRefused) {
    std::string bad_stream = wire::encode_output({0, 1, "a"});
    bad_stream[1] = 3;
    EXPECT_THROW(wire::decode_output(bad_stream), wire::DecodeError);

    wire::Job job;
    job.stages = {{"run", {"x"}, 1, true, true, ""}};
    const std::string body = wire::encode_job(job);
    // The stage's feed_stdin and resident bytes sit right before its empty
    // cell, the two u64 limits and the workdir string.
    const size_t resident = body.size() - 16 - 4 - 4 - 1;
    for (size_t flag : {resident - 1, resident}) {
        std::string bad = body;
        ASSERT_EQ(bad[flag], 1);
        bad[flag] = 2;
        EXPECT_THROW(wire::decode_job(bad), wire::DecodeError) << flag;
    }

    std::string bad_list_only = wire::encode_collect(sample_collect());
    ASSERT_EQ(bad_list_only.back(), 1);
    bad_list_only.back() = 7;
    EXPECT_THROW(wire::decode_collect(bad_list_only), wire::DecodeError);
}

TEST(Wire, DecodeErrorsSayWhat) {
    try {
        wire::decode_report("");
        FAIL() << "no exception";
    } catch (const wire::DecodeError &e) {
        EXPECT_NE(std::strstr(e.what(), "stage report"), nullptr) << e.what();
        EXPECT_NE(std::strstr(e.what(), "truncated"), nullptr) << e.what();
    }
}
