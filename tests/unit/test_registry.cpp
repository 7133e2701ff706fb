#include "languages/registry.hpp"

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <unistd.h>

namespace sbx::languages {
namespace {

TEST(Registry, BuiltinTableHoldsTheSeedsEightLanguages) {
    const Registry r = Registry::builtin();
    for (const char *name : {"python", "javascript", "java", "c", "cpp", "go", "rust", "bash"})
        EXPECT_NE(r.find(name), nullptr) << name;
}

TEST(Registry, LookupIsCaseInsensitiveOverNamesAndAliases) {
    const Registry r = Registry::builtin();
    ASSERT_NE(r.find("Python"), nullptr);
    EXPECT_EQ(r.find("PYTHON")->name, "python");
    EXPECT_EQ(r.find("py")->name, "python");
    EXPECT_EQ(r.find("Py")->name, "python");
    EXPECT_EQ(r.find("JS")->name, "javascript");
    EXPECT_EQ(r.find("c++")->name, "cpp");
    EXPECT_EQ(r.find("golang")->name, "go");
    EXPECT_EQ(r.find("nope"), nullptr);
    EXPECT_EQ(r.find(""), nullptr);
}

TEST(Registry, CompiledLanguagesHaveACompileStage) {
    const Registry r = Registry::builtin();
    for (const char *name : {"java", "c", "cpp", "go", "rust"})
        EXPECT_FALSE(r.find(name)->compile.empty()) << name;
    for (const char *name : {"python", "javascript", "bash"})
        EXPECT_TRUE(r.find(name)->compile.empty()) << name;
    EXPECT_EQ(r.find("java")->source_file, "Main.java");
}

TEST(Registry, ImageOverrideFromConfig) {
    Registry r = Registry::builtin();
    r.set_image("PY", "python:3.12-slim");
    EXPECT_EQ(r.find("python")->image, "python:3.12-slim");
    EXPECT_THROW(r.set_image("klingon", "x"), std::invalid_argument);
}

TEST(Registry, ParseErrorsNameTheFileAndField) {
    const auto parse = [](const char *text) {
        return parse_language(boost::json::parse(text), "x.json");
    };
    try {
        parse(R"({"name": "x", "image": "i", "source_file": "a", "run": "not-an-array",
                  "test": {"code": "", "expected_stdout": ""}})");
        FAIL() << "accepted a bad run";
    } catch (const std::invalid_argument &e) {
        EXPECT_NE(std::string(e.what()).find("x.json"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("\"run\""), std::string::npos) << e.what();
    }
    EXPECT_THROW(parse(R"({"image": "i"})"), std::invalid_argument);
    EXPECT_THROW(parse(R"([1])"), std::invalid_argument);
}

TEST(Registry, DirectoryTableAndDuplicateAliases) {
    namespace fs = std::filesystem;
    const fs::path dir = fs::temp_directory_path() / ("sbx-registry-" + std::to_string(::getpid()));
    fs::create_directories(dir);
    const auto write = [&](const char *file, const char *name, const char *alias) {
        std::ofstream(dir / file) << R"({"name": ")" << name << R"(", "aliases": [")" << alias
                                  << R"("], "image": "img", "source_file": "m", "run": ["m"],
                                     "test": {"code": "", "expected_stdout": ""}})";
    };
    write("a.json", "alpha", "a");
    write("b.json", "beta", "b");
    const Registry r = Registry::from_directory(dir.string());
    EXPECT_EQ(r.all().size(), 2u);
    EXPECT_EQ(r.find("B")->name, "beta");
    write("c.json", "gamma", "a");
    EXPECT_THROW(Registry::from_directory(dir.string()), std::invalid_argument);
    fs::remove_all(dir);
    EXPECT_THROW(Registry::from_directory(dir.string()), std::invalid_argument);
}

} // namespace
} // namespace sbx::languages
