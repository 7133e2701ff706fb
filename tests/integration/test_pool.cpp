// The warm pool, recycling off: containers started ahead of time, one per
// run. Behaviour only, never speed.
#include "integration/pool_support.hpp"

#include <algorithm>
#include <atomic>
#include <future>

namespace sbx::test {
namespace {

const std::string bash_image = "sbx/bash:latest";

std::string pool_config(int size) {
    return R"({"pool": {"size": )" + std::to_string(size) + R"(, "languages": ["bash"]}})";
}

bool starts_any(const std::vector<std::string> &ids, const std::string &short_id) {
    return !short_id.empty() && std::any_of(ids.begin(), ids.end(), [&](const std::string &id) {
               return id.rfind(short_id, 0) == 0;
           });
}

TEST(Pool, NoReuseAcrossRuns) {
    docker::Engine engine(docker::default_endpoint());
    Client client(pool_config(2));
    ASSERT_TRUE(pool_ready(client, bash_image, 2));
    const std::vector<std::string> warm = pool_containers(engine);

    const json::object first = bash(client, "hostname; echo secret > /workspace/left; "
                                            "echo secret > /tmp/left; echo secret > /dev/shm/left; "
                                            "setsid sleep 300 > /dev/null 2>&1 < /dev/null &");
    ASSERT_EQ(str(first, "status"), "success") << dump(first);
    EXPECT_TRUE(starts_any(warm, first_line(first)))
        << "the first run did not use a pool container: " << dump(first);

    const json::object second = bash(
        client, "hostname; ls -A /workspace /tmp /dev/shm; "
                "for p in /proc/[0-9]*; do cat $p/comm; done 2>/dev/null | grep -c '^sleep$' || true");
    ASSERT_EQ(str(second, "status"), "success") << dump(second);
    EXPECT_NE(first_line(first), first_line(second)) << "both runs used one container";
    EXPECT_EQ(str(second, "stdout").find("left"), std::string::npos) << dump(second);
    EXPECT_NE(str(second, "stdout").find("\n0\n"), std::string::npos)
        << "a process of the first run is alive: " << dump(second);
}

TEST(Pool, RefillsAfterARun) {
    Client client(pool_config(2));
    ASSERT_TRUE(pool_ready(client, bash_image, 2));
    for (int i = 0; i < 3; ++i) {
        const json::object r = bash(client, "echo run " + std::to_string(i));
        ASSERT_EQ(str(r, "status"), "success") << dump(r);
    }
    EXPECT_TRUE(pool_ready(client, bash_image, 2)) << json::serialize(health(client));
    const json::object p = pool_profile(client, bash_image);
    EXPECT_EQ(count_of(p, "ready") + count_of(p, "starting"), 2) << json::serialize(p);
}

TEST(Pool, DrainedOnDestroyWithNoContainerLeft) {
    docker::Engine engine(docker::default_endpoint());
    {
        Client client(pool_config(3));
        ASSERT_TRUE(pool_ready(client, bash_image, 3));
        EXPECT_GE(pool_containers(engine).size(), 3u);
        const json::object r = bash(client, "echo one");
        EXPECT_EQ(str(r, "status"), "success") << dump(r);
    }
    // sbx_destroy returns only once everything it owned is gone.
    for (const Listed &c : our_containers(engine))
        ADD_FAILURE() << "left behind: " << c.id << " (" << c.state << ")";
}

TEST(Pool, DeadMemberIsReplaced) {
    docker::Engine engine(docker::default_endpoint());
    Client client(pool_config(1));
    ASSERT_TRUE(pool_ready(client, bash_image, 1));
    const std::vector<std::string> before = pool_containers(engine);
    ASSERT_EQ(before.size(), 1u);
    // Killed behind the pool's back; the engine removes it (AutoRemove).
    engine.checked("POST", "/containers/" + before[0] + "/kill", std::nullopt, 10s);
    ASSERT_TRUE(eventually([&] { return pool_containers(engine).empty(); }, 30s));

    const json::object r = bash(client, "hostname; echo alive");
    ASSERT_EQ(str(r, "status"), "success") << dump(r);
    EXPECT_NE(str(r, "stdout").find("alive"), std::string::npos) << dump(r);
    EXPECT_FALSE(starts_any(before, first_line(r))) << "ran in the killed container";

    // The pool has a new, live member again.
    EXPECT_TRUE(pool_ready(client, bash_image, 1));
    EXPECT_TRUE(eventually([&] {
        const std::vector<std::string> now = pool_containers(engine);
        return now.size() == 1 && now[0] != before[0];
    }));
}

// More concurrent runs than the pool holds: the rest go cold, and every run
// gets its own correct answer.
TEST(Pool, CorrectResultsWhenThePoolIsEmpty) {
    Client client(R"({"pool": {"size": 1, "languages": ["bash"]}, "max_concurrency": 8})");
    ASSERT_TRUE(pool_ready(client, bash_image, 1));
    constexpr int runs = 6;
    std::vector<std::future<json::object>> results;
    for (int i = 0; i < runs; ++i)
        results.push_back(std::async(std::launch::async, [&, i] {
            return client.run(json::object{{"language", "bash"},
                                           {"code", "read n; echo $((n * n)); hostname"},
                                           {"stdin", std::to_string(i) + "\n"}});
        }));
    std::set<std::string> hosts;
    for (int i = 0; i < runs; ++i) {
        const json::object r = results[i].get();
        ASSERT_EQ(str(r, "status"), "success") << dump(r);
        const std::string out = str(r, "stdout");
        EXPECT_EQ(out.substr(0, out.find('\n')), std::to_string(i * i)) << dump(r);
        hosts.insert(out.substr(out.find('\n') + 1));
    }
    EXPECT_EQ(hosts.size(), static_cast<size_t>(runs)) << "two runs shared a container";
}

// During a burst larger than the pool, the engine never shows more idle
// pool-made containers than the pool's size: every pool-made container it
// lists is either one a run of the burst took or one the pool holds.
TEST(Pool, NeverMoreThanItsSizeUnderABurst) {
    docker::Engine engine(docker::default_endpoint());
    constexpr size_t size = 2;
    constexpr int runs = 6;
    Client client(R"({"pool": {"size": 2, "languages": ["bash"]}, "max_concurrency": 8})");
    ASSERT_TRUE(pool_ready(client, bash_image, size));

    std::atomic<bool> sampling{true};
    std::vector<std::set<std::string>> samples; // pool-made containers alive
    size_t most_total = 0;
    int64_t most_held = 0; // ready + starting, as the pool reports it
    std::thread sampler([&] {
        while (sampling) {
            std::set<std::string> pool_made;
            size_t total = 0;
            for (const Listed &c : our_containers(engine)) {
                if (c.state != "running" && c.state != "created")
                    continue;
                ++total;
                if (!c.cold)
                    pool_made.insert(c.id);
            }
            const json::object p = pool_profile(client, bash_image);
            most_held = std::max(most_held, count_of(p, "ready") + count_of(p, "starting"));
            most_total = std::max(most_total, total);
            samples.push_back(std::move(pool_made));
            std::this_thread::sleep_for(20ms);
        }
    });
    std::vector<std::future<json::object>> results;
    for (int i = 0; i < runs; ++i)
        results.push_back(
            std::async(std::launch::async, [&] { return bash(client, "hostname; sleep 3"); }));
    // Sample only while every run still holds its container: once a run
    // ends, its container is removed in the background.
    std::this_thread::sleep_for(2500ms);
    sampling = false;
    sampler.join();
    std::vector<std::string> used; // the short ids the runs ran in
    for (auto &f : results) {
        const json::object r = f.get();
        EXPECT_EQ(str(r, "status"), "success") << dump(r);
        used.push_back(first_line(r));
    }
    ASSERT_FALSE(samples.empty());
    size_t most_idle = 0;
    for (const std::set<std::string> &sample : samples) {
        size_t idle = 0;
        for (const std::string &id : sample)
            idle += std::none_of(used.begin(), used.end(), [&](const std::string &u) {
                return !u.empty() && id.rfind(u, 0) == 0;
            });
        most_idle = std::max(most_idle, idle);
    }
    EXPECT_LE(most_idle, size);
    EXPECT_LE(most_held, static_cast<int64_t>(size));
    EXPECT_LE(most_total, size + runs);
}

} // namespace
} // namespace sbx::test
