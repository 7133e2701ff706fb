// The glob patterns of collect (init/glob.hpp).
#include "init/glob.hpp"

#include <gtest/gtest.h>

#include <string>

using sbx::init::glob_match;

TEST(Glob, LiteralsMatchWholePaths) {
    EXPECT_TRUE(glob_match("main.py", "main.py"));
    EXPECT_TRUE(glob_match("src/main.py", "src/main.py"));
    EXPECT_FALSE(glob_match("main.py", "src/main.py"));
    EXPECT_FALSE(glob_match("main", "main.py"));
    EXPECT_FALSE(glob_match("main.py", "main"));
    EXPECT_FALSE(glob_match("", "a"));
    EXPECT_TRUE(glob_match("", ""));
}

TEST(Glob, StarStaysWithinAComponent) {
    EXPECT_TRUE(glob_match("*.png", "a.png"));
    EXPECT_TRUE(glob_match("*.png", ".png"));
    EXPECT_TRUE(glob_match("*.png", ".hidden.png")); // no dotfile rule
    EXPECT_FALSE(glob_match("*.png", "x/a.png"));
    EXPECT_FALSE(glob_match("*.png", "a.png.txt"));
    EXPECT_TRUE(glob_match("src/*.py", "src/main.py"));
    EXPECT_FALSE(glob_match("src/*.py", "src/lib/util.py"));
    EXPECT_TRUE(glob_match("*/*", "a/b"));
    EXPECT_FALSE(glob_match("*/*", "a/b/c"));
    EXPECT_TRUE(glob_match("a*b*c", "abc"));
    EXPECT_TRUE(glob_match("a*b*c", "axxbyyc"));
    EXPECT_FALSE(glob_match("a*b*c", "axxbyy"));
    EXPECT_TRUE(glob_match("*", "anything"));
    EXPECT_FALSE(glob_match("*", "a/b"));
}

TEST(Glob, QuestionMarkIsOneCharacterButSlash) {
    EXPECT_TRUE(glob_match("?.txt", "a.txt"));
    EXPECT_FALSE(glob_match("?.txt", ".txt"));
    EXPECT_FALSE(glob_match("?.txt", "ab.txt"));
    EXPECT_FALSE(glob_match("a?b", "a/b"));
    EXPECT_TRUE(glob_match("a?b", "a-b"));
}

TEST(Glob, DoubleStarSpansComponents) {
    EXPECT_TRUE(glob_match("**", "a"));
    EXPECT_TRUE(glob_match("**", "a/b/c.txt"));
    EXPECT_TRUE(glob_match("**/*.png", "a.png"));
    EXPECT_TRUE(glob_match("**/*.png", "x/a.png"));
    EXPECT_TRUE(glob_match("**/*.png", "x/y/a.png"));
    EXPECT_FALSE(glob_match("**/*.png", "x/y/a.jpg"));
    EXPECT_TRUE(glob_match("src/**", "src/a"));
    EXPECT_TRUE(glob_match("src/**", "src/a/b"));
    EXPECT_FALSE(glob_match("src/**", "srcx/a"));
    EXPECT_FALSE(glob_match("src/**", "other/src/a"));
    EXPECT_TRUE(glob_match("a/**/b", "a/b"));
    EXPECT_TRUE(glob_match("a/**/b", "a/x/b"));
    EXPECT_TRUE(glob_match("a/**/b", "a/x/y/b"));
    EXPECT_FALSE(glob_match("a/**/b", "a/xb"));
    EXPECT_FALSE(glob_match("a/**/b", "ab"));
    EXPECT_TRUE(glob_match("**/b/**/*.c", "b/x.c"));
    EXPECT_TRUE(glob_match("**/b/**/*.c", "a/b/c/d/x.c"));
    EXPECT_TRUE(glob_match("**/**/x", "x"));
    EXPECT_TRUE(glob_match("**/**/x", "a/b/x"));
}

TEST(Glob, DoubleStarInsideAComponentIsAnyRun) {
    // Not a whole component: no zero-directory form, just any run.
    EXPECT_TRUE(glob_match("a**.txt", "a.txt"));
    EXPECT_TRUE(glob_match("a**.txt", "a/b/c.txt"));
    EXPECT_TRUE(glob_match("x**/y", "x/y"));
    EXPECT_TRUE(glob_match("x**/y", "xa/b/y"));
    EXPECT_FALSE(glob_match("x**/y", "y"));
    EXPECT_TRUE(glob_match("***", "a/b")); // ** then *
}

TEST(Glob, BackslashEscapes) {
    EXPECT_TRUE(glob_match("star\\*.txt", "star*.txt"));
    EXPECT_FALSE(glob_match("star\\*.txt", "starX.txt"));
    EXPECT_TRUE(glob_match("what\\?", "what?"));
    EXPECT_FALSE(glob_match("what\\?", "whatX"));
    EXPECT_TRUE(glob_match("a\\\\b", "a\\b"));
    EXPECT_TRUE(glob_match("\\a", "a"));
    EXPECT_TRUE(glob_match("end\\", "end\\")); // a trailing lone backslash is itself
    EXPECT_FALSE(glob_match("end\\", "end"));
    EXPECT_TRUE(glob_match("\\*\\*/x", "**/x"));
    EXPECT_FALSE(glob_match("\\*\\*/x", "x"));
    EXPECT_FALSE(glob_match("\\*\\*/x", "a/x"));
}

TEST(Glob, OtherCharactersAreLiteral) {
    EXPECT_TRUE(glob_match("[ab].txt", "[ab].txt"));
    EXPECT_FALSE(glob_match("[ab].txt", "a.txt"));
    EXPECT_TRUE(glob_match("{a,b}", "{a,b}"));
    EXPECT_TRUE(glob_match("caf\xc3\xa9/*", "caf\xc3\xa9/x"));
    EXPECT_FALSE(glob_match("./a", "a"));
}

TEST(Glob, HostilePatternsStayFast) {
    // A backtracking matcher takes exponential time on these.
    const std::string path(2000, 'a');
    std::string stars;
    for (int i = 0; i < 200; ++i) stars += "*a";
    EXPECT_FALSE(glob_match(stars + "b", path));
    std::string double_stars;
    for (int i = 0; i < 200; ++i) double_stars += "**/";
    std::string deep;
    for (int i = 0; i < 500; ++i) deep += "d/";
    EXPECT_FALSE(glob_match(double_stars + "x", deep + "y"));
    EXPECT_TRUE(glob_match(double_stars + "y", deep + "y"));
}
