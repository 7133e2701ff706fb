// Demuxer: the engine's multiplexed attach stream, fed in every possible way.
#include "docker/engine.hpp"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

using sbx::docker::Demuxer;

namespace {

std::string frame(uint8_t stream, const std::string &payload) {
    std::string out(8, '\0');
    out[0] = static_cast<char>(stream);
    const auto n = static_cast<uint32_t>(payload.size());
    out[4] = static_cast<char>(n >> 24);
    out[5] = static_cast<char>(n >> 16);
    out[6] = static_cast<char>(n >> 8);
    out[7] = static_cast<char>(n);
    return out + payload;
}

// What came out: per-stream text, and the order of pieces with consecutive
// pieces of one stream merged.
struct Collected {
    std::string streams[3];
    std::vector<std::pair<int, std::string>> runs;

    auto sink() {
        return [this](uint8_t stream, std::string_view bytes) {
            EXPECT_LE(stream, 2);
            EXPECT_FALSE(bytes.empty()) << "empty pieces are not delivered";
            streams[stream].append(bytes);
            if (!runs.empty() && runs.back().first == stream)
                runs.back().second.append(bytes);
            else
                runs.emplace_back(stream, std::string(bytes));
        };
    }
};

// Two frames on stdout, one on stderr, a zero-length one, one on stdin.
const std::string kInput = frame(1, "hello ") + frame(2, "oops\n") + frame(1, "") +
                           frame(1, "world\n") + frame(0, "in");

void expect_standard(const Collected &c) {
    EXPECT_EQ(c.streams[0], "in");
    EXPECT_EQ(c.streams[1], "hello world\n");
    EXPECT_EQ(c.streams[2], "oops\n");
    ASSERT_EQ(c.runs.size(), 4u);
    EXPECT_EQ(c.runs[0], (std::pair<int, std::string>{1, "hello "}));
    EXPECT_EQ(c.runs[1], (std::pair<int, std::string>{2, "oops\n"}));
    EXPECT_EQ(c.runs[2], (std::pair<int, std::string>{1, "world\n"}));
    EXPECT_EQ(c.runs[3], (std::pair<int, std::string>{0, "in"}));
}

} // namespace

TEST(Demux, WholeInput) {
    Demuxer d;
    Collected c;
    d.feed(kInput, c.sink());
    expect_standard(c);
}

TEST(Demux, ByteByByte) {
    Demuxer d;
    Collected c;
    for (char ch : kInput)
        d.feed(std::string_view(&ch, 1), c.sink());
    expect_standard(c);
}

TEST(Demux, SplitInTwoAtEveryBoundary) {
    for (size_t i = 0; i <= kInput.size(); ++i) {
        SCOPED_TRACE("split at " + std::to_string(i));
        Demuxer d;
        Collected c;
        std::string_view all(kInput);
        d.feed(all.substr(0, i), c.sink());
        d.feed(all.substr(i), c.sink());
        expect_standard(c);
    }
}

TEST(Demux, SplitInThreeAtEveryPairOfBoundaries) {
    std::string_view all(kInput);
    for (size_t i = 0; i <= all.size(); ++i)
        for (size_t j = i; j <= all.size(); ++j) {
            SCOPED_TRACE("split at " + std::to_string(i) + " and " + std::to_string(j));
            Demuxer d;
            Collected c;
            d.feed(all.substr(0, i), c.sink());
            d.feed(all.substr(i, j - i), c.sink());
            d.feed(all.substr(j), c.sink());
            expect_standard(c);
        }
}

TEST(Demux, EmptyFeedsChangeNothing) {
    Demuxer d;
    Collected c;
    d.feed("", c.sink());
    std::string_view all(kInput);
    d.feed(all.substr(0, 3), c.sink());
    d.feed("", c.sink());
    d.feed(all.substr(3), c.sink());
    d.feed("", c.sink());
    expect_standard(c);
}

TEST(Demux, ZeroLengthFramesOnly) {
    Demuxer d;
    Collected c;
    d.feed(frame(1, "") + frame(2, "") + frame(1, ""), c.sink());
    EXPECT_TRUE(c.runs.empty());
    d.feed(frame(2, "after"), c.sink());
    EXPECT_EQ(c.streams[2], "after");
}

TEST(Demux, SizeIsBigEndian) {
    // 0x00010203 = 66051 bytes: every size byte matters.
    std::string payload(0x00010203, 'x');
    payload.back() = 'y';
    Demuxer d;
    Collected c;
    d.feed(frame(1, payload) + frame(2, "z"), c.sink());
    EXPECT_EQ(c.streams[1], payload);
    EXPECT_EQ(c.streams[2], "z");
}

TEST(Demux, LargeFrameInOddChunks) {
    std::string payload;
    for (int i = 0; i < 100000; ++i)
        payload.push_back(static_cast<char>(i * 7));
    const std::string input = frame(2, payload) + frame(1, "tail");
    Demuxer d;
    Collected c;
    std::string_view rest(input);
    for (size_t step = 1; !rest.empty(); step = step * 3 % 4099 + 1) {
        size_t n = std::min(step, rest.size());
        d.feed(rest.substr(0, n), c.sink());
        rest.remove_prefix(n);
    }
    EXPECT_EQ(c.streams[2], payload);
    EXPECT_EQ(c.streams[1], "tail");
}

TEST(Demux, InterleavedStdoutAndStderrKeepOrder) {
    std::string input;
    std::vector<std::pair<int, std::string>> expected;
    for (int i = 0; i < 50; ++i) {
        int stream = i % 2 ? 2 : 1;
        std::string text = "line " + std::to_string(i) + "\n";
        input += frame(static_cast<uint8_t>(stream), text);
        expected.emplace_back(stream, text);
    }
    Demuxer d;
    Collected c;
    for (size_t i = 0; i < input.size(); i += 5)
        d.feed(std::string_view(input).substr(i, 5), c.sink());
    EXPECT_EQ(c.runs, expected);
}

TEST(Demux, BadStreamByteThrows) {
    for (uint8_t bad : {uint8_t{3}, uint8_t{4}, uint8_t{0x48}, uint8_t{0xff}}) {
        Demuxer d;
        Collected c;
        std::string input = frame(1, "ok") + frame(bad, "nope");
        EXPECT_THROW(d.feed(input, c.sink()), std::runtime_error) << int(bad);
        EXPECT_EQ(c.streams[1], "ok");
        EXPECT_TRUE(c.streams[2].empty());
    }
}

TEST(Demux, BadHeaderSplitAcrossFeedsThrowsWhenComplete) {
    Demuxer d;
    Collected c;
    std::string bad = frame(7, "x");
    EXPECT_NO_THROW(d.feed(std::string_view(bad).substr(0, 5), c.sink()));
    EXPECT_THROW(d.feed(std::string_view(bad).substr(5), c.sink()), std::runtime_error);
}

TEST(Demux, NonZeroPaddingThrows) {
    // What a TTY stream ("HTTP..." or plain text) looks like when misread.
    Demuxer d;
    Collected c;
    EXPECT_THROW(d.feed("\x01hello world, no frames here", c.sink()), std::runtime_error);
    Demuxer d2;
    std::string header = frame(1, "");
    header[2] = 1;
    EXPECT_THROW(d2.feed(header, c.sink()), std::runtime_error);
}

TEST(Demux, ErrorMessageMentionsHeader) {
    Demuxer d;
    Collected c;
    try {
        d.feed(frame(9, ""), c.sink());
        FAIL() << "no exception";
    } catch (const std::runtime_error &e) {
        EXPECT_NE(std::string(e.what()).find("09000000"), std::string::npos) << e.what();
    }
}
