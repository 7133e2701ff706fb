#include "sandbox/config.hpp"
#include "util/error.hpp"

#include <gtest/gtest.h>

namespace sbx {
namespace {

std::string refusal(const std::string &text) {
    try {
        parse_config(text);
    } catch (const ApiError &e) {
        return (e.code == SBX_E_INVALID_JSON ? "SBX_E_INVALID_JSON " : e.code == SBX_E_INVALID_CONFIG ? "SBX_E_INVALID_CONFIG " : "other ") + std::string(e.what());
    }
    return "accepted";
}

TEST(Config, EmptyObjectGivesTheSeedsDefaults) {
    const Config c = parse_config("{}");
    EXPECT_EQ(c.defaults.time_s, 30);
    EXPECT_EQ(c.defaults.memory_mb, 256);
    EXPECT_EQ(c.defaults.cpus, 0.5);
    EXPECT_EQ(c.defaults.max_output_bytes, 100000);
    EXPECT_EQ(c.defaults.pids, 64);
    EXPECT_EQ(c.runtime, "runc");
    EXPECT_FALSE(c.allow_network);
}

TEST(Config, FieldsAreRead) {
    const Config c = parse_config(R"({"schema": "sbx.config/1", "runtime": "runsc",
        "images": {"python": "python:3.12-slim"}, "defaults": {"time_s": 5},
        "max": {"time_s": 10, "code_bytes": 100}, "max_concurrency": 2, "log_level": "debug",
        "unknown_field": 1})");
    EXPECT_EQ(c.runtime, "runsc");
    EXPECT_EQ(c.images.at("python"), "python:3.12-slim");
    EXPECT_EQ(c.defaults.time_s, 5);
    EXPECT_EQ(c.max.limits.time_s, 10);
    EXPECT_EQ(c.max.code_bytes, 100);
    EXPECT_EQ(c.max_concurrency, 2);
}

TEST(Config, PoolRecycleIsOffByDefault) {
    const Config d = parse_config("{}");
    EXPECT_FALSE(d.pool_recycle);
    EXPECT_EQ(d.pool_max_runs, 50);
    const Config c = parse_config(R"({"pool": {"size": 3, "recycle": true, "max_runs": 7}})");
    EXPECT_EQ(c.pool_size, 3);
    EXPECT_TRUE(c.pool_recycle);
    EXPECT_EQ(c.pool_max_runs, 7);
    EXPECT_NE(refusal(R"({"pool": {"recycle": 1}})").find("pool.recycle"), std::string::npos);
    EXPECT_NE(refusal(R"({"pool": {"max_runs": 0}})").find("pool.max_runs"), std::string::npos);
}

TEST(Config, SessionsAndCollectAreRead) {
    const Config d = parse_config("{}");
    EXPECT_EQ(d.sessions_max, 16);
    EXPECT_EQ(d.session_idle_ttl_s, 600);
    EXPECT_EQ(d.collect_max_bytes, 10 << 20);
    EXPECT_EQ(d.collect_max_files, 1000);
    const Config c = parse_config(R"({"sessions": {"max": 2, "idle_ttl_s": 1.5},
                                      "collect": {"max_bytes": 0, "max_files": 3}})");
    EXPECT_EQ(c.sessions_max, 2);
    EXPECT_EQ(c.session_idle_ttl_s, 1.5);
    EXPECT_EQ(c.collect_max_bytes, 0);
    EXPECT_EQ(c.collect_max_files, 3);
    EXPECT_NE(refusal(R"({"sessions": {"max": -1}})").find("sessions.max"), std::string::npos);
    EXPECT_NE(refusal(R"({"sessions": {"idle_ttl_s": 0}})").find("sessions.idle_ttl_s"),
              std::string::npos);
    EXPECT_NE(refusal(R"({"collect": {"max_bytes": 1e12}})").find("collect.max_bytes"),
              std::string::npos);
    EXPECT_NE(refusal(R"({"collect": {"max_files": 0}})").find("collect.max_files"),
              std::string::npos);
}

TEST(Config, ErrorsNameTheField) {
    EXPECT_NE(refusal("{").find("SBX_E_INVALID_JSON"), std::string::npos);
    EXPECT_NE(refusal("[]").find("SBX_E_INVALID_CONFIG"), std::string::npos);
    EXPECT_NE(refusal(R"({"max_concurrency": "x"})").find("max_concurrency"), std::string::npos);
    EXPECT_NE(refusal(R"({"max_concurrency": 0})").find("max_concurrency"), std::string::npos);
    EXPECT_NE(refusal(R"({"defaults": {"memory_mb": -1}})").find("defaults.memory_mb"),
              std::string::npos);
    EXPECT_NE(refusal(R"({"defaults": {"time_s": 400}})").find("defaults.time_s"),
              std::string::npos);
    EXPECT_NE(refusal(R"({"log_level": "loud"})").find("log_level"), std::string::npos);
    EXPECT_NE(refusal(R"({"images": {"python": 3}})").find("images.python"), std::string::npos);
    EXPECT_NE(refusal(R"({"schema": "sbx.config/9"})").find("schema"), std::string::npos);
}

} // namespace
} // namespace sbx
