// Containers a dead process left behind are removed by the next sbx_create;
// those of a live process are not.
#include "docker/engine.hpp"
#include "integration/client.hpp"

#include <unistd.h>

namespace sbx::test {
namespace {

using namespace std::chrono_literals;

std::string hostname() {
    char name[256] = {};
    gethostname(name, sizeof name - 1);
    return name;
}

// A container labelled as ours, owned by `owner`. Created, not started: the
// sweep removes created containers too, and a test running beside this one
// may sweep a dead owner's container at any moment, so a start could find
// it gone.
std::string create_owned(docker::Engine &engine, const std::string &owner) {
    const json::object spec{
        {"Image", "sbx/bash:latest"},
        {"Cmd", json::array{"sleep", "300"}},
        {"Labels", json::object{{"org.sbx.managed", "1"}, {"org.sbx.owner", owner}}},
        {"HostConfig", json::object{{"NetworkMode", "none"}}}};
    const docker::Response r =
        engine.checked("POST", "/containers/create", json::serialize(spec), 10s);
    return std::string(r.json().at("Id").as_string());
}

bool exists(docker::Engine &engine, const std::string &id) {
    return engine.request("GET", "/containers/" + id + "/json", std::nullopt, 10s).status == 200;
}

TEST(Cleanup, CreateRemovesContainersOfDeadOwnersOnly) {
    docker::Engine engine(docker::default_endpoint());
    // A pid that cannot exist (above pid_max) stands for a dead process; our
    // own pid with the wrong start time stands for a reused pid.
    const std::string dead = create_owned(engine, hostname() + ":99999999:1");
    const std::string reused =
        create_owned(engine, hostname() + ":" + std::to_string(getpid()) + ":1");
    const std::string elsewhere = create_owned(engine, "another-host:1:1");
    { Client client; }
    EXPECT_FALSE(exists(engine, dead));
    EXPECT_FALSE(exists(engine, reused));
    EXPECT_TRUE(exists(engine, elsewhere)) << "a container of another host was removed";
    engine.request("DELETE", "/containers/" + elsewhere + "?force=1", std::nullopt, 15s);
    engine.request("DELETE", "/containers/" + dead + "?force=1", std::nullopt, 15s);
    engine.request("DELETE", "/containers/" + reused + "?force=1", std::nullopt, 15s);
}

TEST(Cleanup, DestroyRemovesWhatTheSandboxOwns) {
    docker::Engine engine(docker::default_endpoint());
    auto list = [&] {
        return engine
            .checked("GET",
                     "/containers/json?all=1&filters=%7B%22label%22%3A%5B%22org.sbx.owner%22%5D%7D",
                     std::nullopt, 10s)
            .json();
    };
    {
        Client client;
        const json::object r =
            client.run(json::object{{"language", "bash"}, {"code", "echo hi"}});
        EXPECT_EQ(str(r, "status"), "success") << dump(r);
    }
    const std::string me = ":" + std::to_string(getpid()) + ":";
    const json::value containers = list();
    for (const json::value &c : containers.as_array()) {
        const json::value *owner = c.at("Labels").as_object().if_contains("org.sbx.owner");
        EXPECT_FALSE(owner && std::string(owner->as_string()).find(me) != std::string::npos)
            << "left behind: " << json::serialize(c);
    }
}

} // namespace
} // namespace sbx::test
