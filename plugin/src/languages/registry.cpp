#include "languages/registry.hpp"

#include "languages/embedded.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace sbx::languages {
namespace json = boost::json;

std::string lower(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

namespace {

struct Reader {
    const json::object &o;
    std::string_view origin;

    [[noreturn]] void fail(std::string_view key, std::string_view reason) const {
        throw std::invalid_argument(std::string(origin) + ": field \"" + std::string(key) +
                                    "\" " + std::string(reason));
    }
    const json::value *get(std::string_view key, bool required) const {
        const json::value *v = o.if_contains(key);
        if ((!v || v->is_null()) && required)
            fail(key, "is required");
        return v && !v->is_null() ? v : nullptr;
    }
    std::string text(std::string_view key, bool required = true) const {
        const json::value *v = get(key, required);
        if (!v)
            return {};
        if (!v->is_string())
            fail(key, "must be a string");
        return std::string(v->get_string());
    }
    std::vector<std::string> strings(std::string_view key, bool required) const {
        const json::value *v = get(key, required);
        std::vector<std::string> out;
        if (!v)
            return out;
        if (!v->is_array())
            fail(key, "must be an array of strings");
        for (const json::value &e : v->get_array()) {
            if (!e.is_string())
                fail(key, "must be an array of strings");
            out.emplace_back(e.get_string());
        }
        return out;
    }
};

LanguageLimits parse_limits(const Reader &r) {
    LanguageLimits limits;
    const json::value *v = r.get("limits", false);
    if (!v)
        return limits;
    if (!v->is_object())
        r.fail("limits", "must be an object");
    const json::object &o = v->get_object();
    auto num = [&](std::string_view key) -> std::optional<double> {
        const json::value *x = o.if_contains(key);
        if (!x || x->is_null())
            return std::nullopt;
        if (!x->is_number() || x->to_number<double>() <= 0)
            r.fail(std::string("limits.") + std::string(key), "must be a positive number");
        return x->to_number<double>();
    };
    limits.compile_time_s = num("compile_time_s");
    if (auto m = num("memory_mb_min"))
        limits.memory_mb_min = static_cast<int64_t>(*m);
    if (auto p = num("pids_min"))
        limits.pids_min = static_cast<int64_t>(*p);
    return limits;
}

TestCase parse_test(const Reader &r) {
    const json::value *v = r.get("test", true);
    if (!v->is_object())
        r.fail("test", "must be an object");
    Reader t{v->get_object(), r.origin};
    return {t.text("code"), t.text("stdin", false), t.text("expected_stdout")};
}

std::string read_file(const std::filesystem::path &path) {
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw std::invalid_argument("cannot read " + path.string());
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

json::value parse_text(std::string_view text, std::string_view origin) {
    boost::system::error_code ec;
    json::value v = json::parse(text, ec);
    if (ec)
        throw std::invalid_argument(std::string(origin) + ": not valid JSON: " + ec.message());
    return v;
}

} // namespace

Language parse_language(const json::value &doc, std::string_view origin) {
    if (!doc.is_object())
        throw std::invalid_argument(std::string(origin) + ": must be a JSON object");
    const Reader r{doc.get_object(), origin};
    Language l;
    l.name = lower(r.text("name"));
    if (l.name.empty())
        r.fail("name", "must not be empty");
    for (std::string &alias : r.strings("aliases", false))
        l.aliases.push_back(lower(alias));
    l.display_name = r.text("display_name", false);
    if (l.display_name.empty())
        l.display_name = l.name;
    l.version = r.text("version", false);
    l.image = r.text("image");
    l.packages = r.strings("packages", false);
    l.source_file = r.text("source_file");
    if (l.source_file.empty() || l.source_file.find('/') != std::string::npos)
        r.fail("source_file", "must be a plain file name");
    l.compile = r.strings("compile", false);
    l.run = r.strings("run", true);
    if (l.run.empty())
        r.fail("run", "must not be empty");
    if (const json::value *env = r.get("env", false)) {
        if (!env->is_object())
            r.fail("env", "must be an object of strings");
        for (const auto &[key, value] : env->get_object()) {
            if (!value.is_string())
                r.fail("env", "must be an object of strings");
            l.env[std::string(key)] = std::string(value.get_string());
        }
    }
    l.limits = parse_limits(r);
    l.test = parse_test(r);
    return l;
}

void Registry::add(Language language, std::string_view origin) {
    const size_t slot = languages_.size();
    std::vector<std::string> keys = language.aliases;
    keys.push_back(language.name);
    for (const std::string &key : keys) {
        if (index_.count(key))
            throw std::invalid_argument(std::string(origin) + ": name or alias \"" + key +
                                        "\" is already taken by another language");
    }
    for (const std::string &key : keys)
        index_[key] = slot;
    languages_.push_back(std::move(language));
}

Registry Registry::builtin() {
    Registry r;
    for (const EmbeddedFile &file : embedded_files())
        r.add(parse_language(parse_text(file.content, file.name), file.name), file.name);
    return r;
}

Registry Registry::from_directory(const std::string &dir) {
    namespace fs = std::filesystem;
    std::error_code ec;
    if (!fs::is_directory(dir, ec))
        throw std::invalid_argument("languages_dir: " + dir + " is not a directory");
    std::vector<fs::path> files;
    for (const fs::directory_entry &e : fs::directory_iterator(dir))
        if (e.path().extension() == ".json")
            files.push_back(e.path());
    std::sort(files.begin(), files.end());
    if (files.empty())
        throw std::invalid_argument("languages_dir: " + dir + " holds no *.json file");
    Registry r;
    for (const fs::path &path : files) {
        const std::string origin = path.string();
        r.add(parse_language(parse_text(read_file(path), origin), origin), origin);
    }
    return r;
}

const Language *Registry::find(std::string_view name) const {
    auto it = index_.find(lower(name));
    return it == index_.end() ? nullptr : &languages_[it->second];
}

std::vector<std::string> Registry::names() const {
    std::vector<std::string> out;
    for (const Language &l : languages_)
        out.push_back(l.name);
    return out;
}

void Registry::set_image(std::string_view language, std::string image) {
    auto it = index_.find(lower(language));
    if (it == index_.end())
        throw std::invalid_argument("images." + std::string(language) + ": unknown language");
    languages_[it->second].image = std::move(image);
}

json::value Registry::to_json() const {
    json::array list;
    for (const Language &l : languages_) {
        json::array aliases(l.aliases.begin(), l.aliases.end());
        list.push_back(json::object{{"name", l.name},
                                    {"aliases", std::move(aliases)},
                                    {"display_name", l.display_name},
                                    {"version", l.version},
                                    {"image", l.image},
                                    {"compiled", !l.compile.empty()},
                                    {"source_file", l.source_file}});
    }
    return json::object{{"schema", "sbx.languages/1"}, {"languages", std::move(list)}};
}

} // namespace sbx::languages
