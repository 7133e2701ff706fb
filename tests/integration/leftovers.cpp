// Run by ctest after every integration test: no container with our label
// may remain on the engine, whatever the tests did.
#include "docker/engine.hpp"

#include <boost/json.hpp>

#include <iostream>

int main() {
    try {
        sbx::docker::Engine engine(sbx::docker::default_endpoint());
        const auto list = engine.checked(
            "GET", "/containers/json?all=1&filters=%7B%22label%22%3A%5B%22org.sbx.managed%22%5D%7D",
            std::nullopt, std::chrono::seconds(10));
        const boost::json::value doc = list.json();
        const auto &containers = doc.as_array();
        for (const auto &c : containers)
            std::cerr << "left behind: " << c.at("Id").as_string() << " "
                      << boost::json::serialize(c.at("Labels")) << "\n";
        std::cout << containers.size() << " container(s) of sbx remain\n";
        return containers.empty() ? 0 : 1;
    } catch (const std::exception &e) {
        std::cerr << "cannot check for leftovers: " << e.what() << "\n";
        return 1;
    }
}
