#include "util/utf8.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace sbx::util {
namespace {

const std::string fffd = "\xEF\xBF\xBD";

TEST(Utf8, ValidTextIsUnchanged) {
    for (const std::string &s : std::vector<std::string>{"", "plain ascii", "caf\xC3\xA9", "\xE2\x82\xAC", "\xF0\x9F\x98\x80",
                                std::string("nul\0inside", 10)}) {
        EXPECT_TRUE(is_valid_utf8(s)) << s;
        EXPECT_EQ(repair_utf8(s), s);
    }
}

TEST(Utf8, LoneBytesAreReplacedOneByOne) {
    EXPECT_EQ(repair_utf8("a\xFF" "b"), "a" + fffd + "b");
    EXPECT_EQ(repair_utf8("\x80\x80"), fffd + fffd);
    EXPECT_EQ(repair_utf8("\xC0\xAF"), fffd + fffd); // overlong lead is never valid
}

TEST(Utf8, TruncatedSequenceIsOneReplacement) {
    EXPECT_EQ(repair_utf8("\xE2\x82"), fffd);
    EXPECT_EQ(repair_utf8("x\xF0\x9F\x98"), "x" + fffd);
    EXPECT_EQ(repair_utf8("\xE2\x82z"), fffd + "z");
}

TEST(Utf8, SurrogatesOverlongsAndOutOfRangeAreRejected) {
    EXPECT_FALSE(is_valid_utf8("\xED\xA0\x80"));     // U+D800
    EXPECT_FALSE(is_valid_utf8("\xE0\x80\xAF"));     // overlong '/'
    EXPECT_FALSE(is_valid_utf8("\xF4\x90\x80\x80")); // past U+10FFFF
    EXPECT_FALSE(is_valid_utf8("\xF5\x80\x80\x80"));
    EXPECT_EQ(repair_utf8("\xED\xA0\x80"), fffd + fffd + fffd);
}

TEST(Utf8, RepairedOutputIsAlwaysValid) {
    std::string all;
    for (int i = 0; i < 256; ++i)
        for (int j = 0; j < 256; j += 17)
            all += {static_cast<char>(i), static_cast<char>(j)};
    EXPECT_TRUE(is_valid_utf8(repair_utf8(all)));
}

} // namespace
} // namespace sbx::util
