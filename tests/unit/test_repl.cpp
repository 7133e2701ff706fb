// The resident interpreters of REPL sessions (repl/repl.hpp).
#include "repl/repl.hpp"

#include <gtest/gtest.h>

TEST(Repl, PythonStartsTheEmbeddedDriver) {
    auto argv = sbx::repl::interpreter_argv("python");
    ASSERT_TRUE(argv);
    ASSERT_EQ(argv->size(), 4u);
    EXPECT_EQ((*argv)[0], "python3");
    EXPECT_EQ((*argv)[2], "-c");
    const std::string &driver = (*argv)[3];
    EXPECT_NE(driver.find("def _main():"), std::string::npos);
    EXPECT_LT(driver.size(), 16u * 1024u);
}

TEST(Repl, OtherLanguagesHaveNone) {
    EXPECT_FALSE(sbx::repl::interpreter_argv("c"));
    EXPECT_FALSE(sbx::repl::interpreter_argv(""));
}
