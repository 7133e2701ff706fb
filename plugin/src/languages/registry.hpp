// The language table: loaded from the embedded languages/*.json or from a
// directory, looked up case-insensitively by name or alias.
#pragma once

#include <boost/json/value.hpp>

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sbx::languages {

struct TestCase {
    std::string code;
    std::string stdin_data;
    std::string expected_stdout;
};

// Per-language needs beyond the defaults (a JVM wants more memory and
// threads); applied as floors, never above the configured maxima.
struct LanguageLimits {
    std::optional<double> compile_time_s;
    std::optional<int64_t> memory_mb_min;
    std::optional<int64_t> pids_min;
};

struct Language {
    std::string name;
    std::vector<std::string> aliases;
    std::string display_name;
    std::string version;
    std::string image;
    std::vector<std::string> packages;
    std::string source_file;
    std::vector<std::string> compile; // empty: no compile stage
    std::vector<std::string> run;
    std::map<std::string, std::string> env;
    LanguageLimits limits;
    TestCase test;
};

// Throws std::invalid_argument naming `origin` and the field.
Language parse_language(const boost::json::value &doc, std::string_view origin);

class Registry {
public:
    static Registry builtin();                        // the embedded table
    static Registry from_directory(const std::string &dir); // every *.json in it

    // Case-insensitive over names and aliases; nullptr when unknown.
    const Language *find(std::string_view name) const;
    const std::vector<Language> &all() const { return languages_; }
    std::vector<std::string> names() const;

    // A config's "images" entry; throws std::invalid_argument for an
    // unknown language.
    void set_image(std::string_view language, std::string image);

    // The sbx.languages/1 document.
    boost::json::value to_json() const;

private:
    void add(Language language, std::string_view origin);
    std::vector<Language> languages_;
    std::map<std::string, size_t> index_; // lower-cased name or alias
};

std::string lower(std::string_view s);

} // namespace sbx::languages
