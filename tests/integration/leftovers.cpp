// Run by ctest after every integration test: nothing of ours may remain —
// no container and no volume with our labels on the engine, and no
// /tmp/sbx-* directory or file left by a test, whatever the tests did.
#include "docker/engine.hpp"

#include <boost/json.hpp>

#include <filesystem>
#include <iostream>

namespace {

// Containers labelled org.sbx.managed.
size_t containers(sbx::docker::Engine &engine) {
    const auto list = engine.checked(
        "GET", "/containers/json?all=1&filters=%7B%22label%22%3A%5B%22org.sbx.managed%22%5D%7D",
        std::nullopt, std::chrono::seconds(10));
    const boost::json::value doc = list.json();
    const auto &all = doc.as_array();
    for (const auto &c : all)
        std::cerr << "left behind: container " << c.at("Id").as_string() << " "
                  << boost::json::serialize(c.at("Labels")) << "\n";
    return all.size();
}

// Volumes with any org.sbx.* label.
size_t volumes(sbx::docker::Engine &engine) {
    const boost::json::value doc =
        engine.checked("GET", "/volumes", std::nullopt, std::chrono::seconds(10)).json();
    size_t found = 0;
    const boost::json::value *list = doc.as_object().if_contains("Volumes");
    if (!list || !list->is_array())
        return 0;
    for (const auto &v : list->as_array()) {
        const boost::json::value *labels = v.as_object().if_contains("Labels");
        if (!labels || !labels->is_object())
            continue;
        for (const auto &label : labels->as_object())
            if (label.key().starts_with("org.sbx.")) {
                std::cerr << "left behind: volume " << v.at("Name").as_string() << " "
                          << boost::json::serialize(*labels) << "\n";
                ++found;
                break;
            }
    }
    return found;
}

// What tests create under /tmp is named sbx-*; all of it must be gone.
size_t temp_entries() {
    size_t found = 0;
    std::error_code ec;
    for (const auto &e : std::filesystem::directory_iterator("/tmp", ec))
        if (e.path().filename().string().starts_with("sbx-")) {
            std::cerr << "left behind: " << e.path().string() << "\n";
            ++found;
        }
    return found;
}

} // namespace

int main() {
    try {
        sbx::docker::Engine engine(sbx::docker::default_endpoint());
        const size_t c = containers(engine), v = volumes(engine), t = temp_entries();
        std::cout << c << " container(s), " << v << " volume(s) and " << t
                  << " /tmp/sbx-* entr(y/ies) of sbx remain\n";
        return c + v + t == 0 ? 0 : 1;
    } catch (const std::exception &e) {
        std::cerr << "cannot check for leftovers: " << e.what() << "\n";
        return 1;
    }
}
