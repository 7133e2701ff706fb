// Sessions (ABI 1.2): one container kept for many runs, against the real
// engine: files and REPL state persist, sessions stay apart, and every way a
// session ends (close, idle expiry, sbx_destroy) removes its container.
#include "integration/client.hpp"
#include "integration/pool_support.hpp"

#include <gtest/gtest.h>

#include <thread>

namespace sbx::test {
namespace {

// Whether the engine has a container labelled with session `id`.
bool session_container_exists(const std::string &id) {
    docker::Engine engine(docker::default_endpoint());
    const std::string filters =
        json::serialize(json::object{{"label", json::array{"org.sbx.session=" + id}}});
    return !engine
                .checked("GET", "/containers/json?all=1&filters=" + util::url_encode(filters),
                         std::nullopt, 10s)
                .json()
                .as_array()
                .empty();
}

bool session_container_gone(const std::string &id) {
    return eventually([&] { return !session_container_exists(id); }, 15s);
}

std::pair<sbx_status, std::string> try_run(Client &client, const json::object &request) {
    return client.refuse(json::serialize(request));
}

// No pool: every session's container is made for it and carries its label.
class Sessions : public ::testing::Test {
protected:
    static void SetUpTestSuite() { client_ = new Client(R"({"pool": {"size": 0}})"); }
    static void TearDownTestSuite() {
        delete client_;
        client_ = nullptr;
    }

    static std::string open(json::object options) {
        const json::object session = client_->open_session(options);
        EXPECT_EQ(str(session, "schema"), "sbx.session/1");
        return str(session, "session_id");
    }

    static json::object run(const std::string &session, const std::string &code,
                            json::object extra = {}) {
        extra["session_id"] = session;
        extra["code"] = code;
        return client_->run(extra);
    }

    inline static Client *client_ = nullptr;
};

TEST_F(Sessions, FilesPersistAcrossRuns) {
    const std::string id = open({{"language", "python"}});
    json::object first = run(id, "import os\nos.makedirs('notes', exist_ok=True)\n"
                                 "open('notes/a.txt', 'w').write('kept')\n");
    ASSERT_EQ(str(first, "status"), "success") << dump(first);
    EXPECT_EQ(str(first, "session_id"), id);
    json::object second = run(id, "print(open('notes/a.txt').read())");
    ASSERT_EQ(str(second, "status"), "success") << dump(second);
    EXPECT_EQ(str(second, "stdout"), "kept\n");
    json::object listing = client_->run({{"session_id", id}, {"language", "python"},
                                         {"code", "import os; print(sorted(os.listdir('notes')))"}});
    EXPECT_EQ(str(listing, "stdout"), "['a.txt']\n");
    ASSERT_EQ(sbx_session_close(client_->handle(), id.c_str()), SBX_OK);
}

TEST_F(Sessions, EachRunKeepsItsOwnTimeLimit) {
    const std::string id = open({{"language", "python"}});
    run(id, "open('before.txt', 'w').write('x')");
    json::object slow = run(id, "import time\ntime.sleep(30)", {{"limits", {{"time_s", 1}}}});
    EXPECT_EQ(str(slow, "status"), "timeout") << dump(slow);
    EXPECT_DOUBLE_EQ(slow.at("limits_applied").at("time_s").to_number<double>(), 1.0);
    // The session goes on, files intact, with the default limit again.
    json::object after = run(id, "print(open('before.txt').read())");
    EXPECT_EQ(str(after, "status"), "success") << dump(after);
    EXPECT_EQ(str(after, "stdout"), "x\n");
    EXPECT_DOUBLE_EQ(after.at("limits_applied").at("time_s").to_number<double>(), 30.0);
    ASSERT_EQ(sbx_session_close(client_->handle(), id.c_str()), SBX_OK);
}

TEST_F(Sessions, ReplKeepsInterpreterState) {
    const std::string id = open({{"language", "python"}, {"repl", true}});
    json::object first = run(id, "x = 1");
    ASSERT_EQ(str(first, "status"), "success") << dump(first);
    EXPECT_TRUE(first.at("repl").at("fresh_state").as_bool());
    json::object second = run(id, "x += 1; print(x)");
    ASSERT_EQ(str(second, "status"), "success") << dump(second);
    EXPECT_EQ(str(second, "stdout"), "2\n");
    EXPECT_FALSE(second.at("repl").at("fresh_state").as_bool());
    EXPECT_FALSE(second.at("repl").at("state_reset").as_bool());
    // Functions and imports persist; a last expression is echoed, as in a notebook.
    run(id, "import math\ndef area(r):\n    return math.pi * r * r\n");
    EXPECT_EQ(str(run(id, "round(area(2), 3)"), "stdout"), "12.566\n");
    // An exception fails that run only.
    json::object error = run(id, "raise ValueError('boom')");
    EXPECT_EQ(str(error, "status"), "execution_error");
    EXPECT_NE(str(error, "stderr").find("ValueError: boom"), std::string::npos) << dump(error);
    EXPECT_EQ(str(run(id, "print(x)"), "stdout"), "2\n");
    // stdin reaches the cell.
    EXPECT_EQ(str(run(id, "print(input().upper())", {{"stdin", "abc\n"}}), "stdout"), "ABC\n");
    ASSERT_EQ(sbx_session_close(client_->handle(), id.c_str()), SBX_OK);
}

TEST_F(Sessions, ReplTimeoutResetsStateAndSaysSo) {
    const std::string id = open({{"language", "python"}, {"repl", true}});
    run(id, "x = 5");
    json::object slow = run(id, "import time\ntime.sleep(30)", {{"limits", {{"time_s", 1}}}});
    EXPECT_EQ(str(slow, "status"), "timeout") << dump(slow);
    EXPECT_TRUE(slow.at("repl").at("state_reset").as_bool()) << dump(slow);
    EXPECT_NE(str(slow.at("repl").as_object(), "note").find("state is gone"), std::string::npos);
    json::object after = run(id, "print(x)");
    EXPECT_EQ(str(after, "status"), "execution_error") << dump(after);
    EXPECT_NE(str(after, "stderr").find("NameError"), std::string::npos) << dump(after);
    EXPECT_TRUE(after.at("repl").at("fresh_state").as_bool());
    ASSERT_EQ(sbx_session_close(client_->handle(), id.c_str()), SBX_OK);
}

TEST_F(Sessions, ReplCrashResetsState) {
    const std::string id = open({{"language", "python"}, {"repl", true}});
    run(id, "y = 'kept'");
    json::object crash = run(id, "import os\nos._exit(7)");
    EXPECT_EQ(str(crash, "status"), "execution_error") << dump(crash);
    EXPECT_TRUE(crash.at("repl").at("state_reset").as_bool()) << dump(crash);
    json::object after = run(id, "print('y' in globals())");
    EXPECT_EQ(str(after, "stdout"), "False\n") << dump(after);
    ASSERT_EQ(sbx_session_close(client_->handle(), id.c_str()), SBX_OK);
}

TEST_F(Sessions, TwoSessionsStayApart) {
    const std::string a = open({{"language", "python"}, {"repl", true}});
    const std::string b = open({{"language", "python"}, {"repl", true}});
    run(a, "secret = 42\nopen('secret.txt', 'w').write('42')");
    json::object seen = run(b, "import os\nprint('secret' in globals(), os.path.exists('secret.txt'))");
    EXPECT_EQ(str(seen, "stdout"), "False False\n") << dump(seen);
    json::object hosts_a = run(a, "import socket; socket.gethostname()");
    json::object hosts_b = run(b, "import socket; socket.gethostname()");
    EXPECT_NE(str(hosts_a, "stdout"), str(hosts_b, "stdout"));
    EXPECT_EQ(sbx_session_close(client_->handle(), a.c_str()), SBX_OK);
    EXPECT_EQ(sbx_session_close(client_->handle(), b.c_str()), SBX_OK);
}

TEST_F(Sessions, CloseRemovesTheContainer) {
    const std::string id = open({{"language", "bash"}});
    EXPECT_TRUE(session_container_exists(id));
    ASSERT_EQ(sbx_session_close(client_->handle(), id.c_str()), SBX_OK);
    EXPECT_TRUE(session_container_gone(id));
    const auto [status, message] = try_run(*client_, {{"session_id", id}, {"code", "echo hi"}});
    EXPECT_EQ(status, SBX_E_UNKNOWN_SESSION);
    EXPECT_NE(message.find("session_id: session \"" + id + "\" was closed"), std::string::npos)
        << message;
    EXPECT_EQ(sbx_session_close(client_->handle(), id.c_str()), SBX_E_UNKNOWN_SESSION);
}

TEST_F(Sessions, UnknownIdIsAClearError) {
    const auto [status, message] =
        try_run(*client_, {{"session_id", "s-never-opened"}, {"language", "python"}, {"code", "1"}});
    EXPECT_EQ(status, SBX_E_UNKNOWN_SESSION);
    EXPECT_EQ(message, "session_id: no session \"s-never-opened\" was opened on this sandbox");
    EXPECT_EQ(sbx_session_close(client_->handle(), "s-never-opened"), SBX_E_UNKNOWN_SESSION);
    EXPECT_EQ(sbx_session_close(client_->handle(), nullptr), SBX_E_INVALID_ARGUMENT);
    EXPECT_EQ(sbx_session_close(nullptr, "x"), SBX_E_INVALID_ARGUMENT);
}

TEST_F(Sessions, ARunCannotChangeWhatTheSessionFixed) {
    const std::string id = open({{"language", "python"}, {"limits", {{"memory_mb", 128}}}});
    auto [status, message] = try_run(
        *client_, {{"session_id", id}, {"code", "1"}, {"limits", {{"memory_mb", 512}}}});
    EXPECT_EQ(status, SBX_E_INVALID_REQUEST);
    EXPECT_EQ(message.rfind("limits.memory_mb: is set when a session opens", 0), 0u) << message;
    std::tie(status, message) =
        try_run(*client_, {{"session_id", id}, {"language", "java"}, {"code", "class Main {}"}});
    EXPECT_EQ(status, SBX_E_INVALID_REQUEST);
    EXPECT_EQ(message.rfind("language: session", 0), 0u) << message;
    // The limits it did not set come from the session.
    json::object ok = run(id, "print(1)");
    EXPECT_EQ(ok.at("limits_applied").at("memory_mb").to_number<int64_t>(), 128) << dump(ok);
    ASSERT_EQ(sbx_session_close(client_->handle(), id.c_str()), SBX_OK);
}

TEST_F(Sessions, BadOptionsNameTheField) {
    const std::vector<std::pair<std::string, std::string>> cases{
        {R"({})", "language: is required"},
        {R"({"language": "cobol-2099"})", "language: unknown language"},
        {R"({"language": "c", "repl": true})", "repl: only python keeps its state"},
        {R"({"language": "python", "repl": "yes"})", "repl: "},
        {R"({"language": "python", "limits": {"memory_mb": 999999999}})", "limits.memory_mb: "},
        {R"([1])", "options: expected an object"},
        {R"({"language": )", "options is not valid JSON"},
    };
    for (const auto &[options, prefix] : cases) {
        Owned out, error;
        EXPECT_NE(sbx_session_open(&out.p, client_->handle(), options.c_str(), &error.p), SBX_OK)
            << options;
        EXPECT_EQ(out.p, nullptr);
        EXPECT_EQ(error.str().rfind(prefix, 0), 0u) << options << " -> " << error.str();
    }
}

TEST(SessionLimits, TheMaximumHoldsAndAClosedSessionFreesItsPlace) {
    Client client(R"({"pool": {"size": 0}, "sessions": {"max": 2}})");
    const std::string a = str(client.open_session({{"language", "bash"}}), "session_id");
    const std::string b = str(client.open_session({{"language", "bash"}}), "session_id");
    Owned out, error;
    EXPECT_EQ(sbx_session_open(&out.p, client.handle(), R"({"language": "bash"})", &error.p),
              SBX_E_SESSION_LIMIT);
    EXPECT_NE(error.str().find("2 sessions are open"), std::string::npos) << error.str();
    ASSERT_EQ(sbx_session_close(client.handle(), a.c_str()), SBX_OK);
    const std::string c = str(client.open_session({{"language", "bash"}}), "session_id");
    EXPECT_NE(c, a);
    EXPECT_EQ(sbx_session_close(client.handle(), b.c_str()), SBX_OK);
    EXPECT_EQ(sbx_session_close(client.handle(), c.c_str()), SBX_OK);
}

TEST(SessionExpiry, AnIdleSessionExpiresAndItsContainerGoes) {
    Client client(R"({"pool": {"size": 0}, "sessions": {"idle_ttl_s": 1}})");
    const std::string id = str(client.open_session({{"language", "bash"}}), "session_id");
    // Used within the TTL, it stays.
    std::this_thread::sleep_for(600ms);
    EXPECT_EQ(str(client.run({{"session_id", id}, {"code", "echo still"}}), "stdout"), "still\n");
    std::this_thread::sleep_for(600ms);
    EXPECT_EQ(str(client.run({{"session_id", id}, {"code", "echo here"}}), "stdout"), "here\n");
    // Idle past it, it goes (asking earlier would keep it alive).
    EXPECT_TRUE(session_container_gone(id));
    const auto [status, message] = try_run(client, {{"session_id", id}, {"code", "true"}});
    EXPECT_EQ(status, SBX_E_UNKNOWN_SESSION);
    EXPECT_EQ(message, "session_id: session \"" + id +
                           "\" expired after 1 s idle (config sessions.idle_ttl_s)");
}

TEST(SessionDestroy, DestroyRemovesEverySessionsContainer) {
    std::vector<std::string> ids;
    {
        Client client(R"({"pool": {"size": 0}})");
        for (int i = 0; i < 3; ++i)
            ids.push_back(str(client.open_session({{"language", "bash"}}), "session_id"));
        for (const std::string &id : ids)
            EXPECT_TRUE(session_container_exists(id));
    }
    for (const std::string &id : ids)
        EXPECT_TRUE(session_container_gone(id)) << id;
}

TEST_F(Sessions, ConcurrentRunsOnOneSessionTakeTurns) {
    const std::string id = open({{"language", "bash"}});
    std::vector<std::thread> threads;
    std::vector<std::string> outputs(4);
    for (int i = 0; i < 4; ++i)
        threads.emplace_back([&, i] {
            outputs[i] = str(run(id, "echo " + std::to_string(i) + " >> log; sleep 0.2; wc -l < log"),
                             "stdout");
        });
    for (std::thread &t : threads)
        t.join();
    std::set<std::string> counts(outputs.begin(), outputs.end());
    EXPECT_EQ(counts, (std::set<std::string>{"1\n", "2\n", "3\n", "4\n"}));
    ASSERT_EQ(sbx_session_close(client_->handle(), id.c_str()), SBX_OK);
}

TEST_F(Sessions, CancelEndsTheRunButNotTheSession) {
    const std::string id = open({{"language", "bash"}});
    run(id, "echo keep > f");
    const CancelledRun cancelled = execute_cancelled_after(
        client_->handle(), {{"session_id", id}, {"code", "sleep 30"}}, 500ms);
    EXPECT_EQ(str(cancelled.result, "status"), "cancelled");
    EXPECT_EQ(str(run(id, "cat f"), "stdout"), "keep\n");
    ASSERT_EQ(sbx_session_close(client_->handle(), id.c_str()), SBX_OK);
}

TEST_F(Sessions, ACancelEndsTheWaitForTheSessionsTurn) {
    const std::string id = open({{"language", "bash"}});
    std::thread holder([&] { EXPECT_EQ(str(run(id, "sleep 3; echo done"), "stdout"), "done\n"); });
    std::this_thread::sleep_for(500ms);
    const CancelledRun cancelled = execute_cancelled_after(
        client_->handle(), {{"session_id", id}, {"code", "echo no"}}, 300ms);
    holder.join();
    EXPECT_EQ(str(cancelled.result, "status"), "cancelled") << dump(cancelled.result);
    EXPECT_LT(cancelled.took, 2s); // the holder's run went on for 3 s
    EXPECT_EQ(str(run(id, "echo after"), "stdout"), "after\n");
    ASSERT_EQ(sbx_session_close(client_->handle(), id.c_str()), SBX_OK);
}

// on_output runs while its run holds the session: a call from it into that
// session is refused at once instead of waiting for ever.
TEST_F(Sessions, ACallbackCannotUseTheSessionOfItsOwnRun) {
    struct Probe {
        sbx_sandbox *sb;
        std::string request;
        sbx_status status = SBX_OK;
        std::string message;
    } probe{client_->handle(), "", SBX_OK, ""};
    const std::string id = open({{"language", "bash"}});
    probe.request = json::serialize(json::object{{"session_id", id}, {"code", "true"}});
    sbx_exec_options opts{};
    opts.struct_size = sizeof opts;
    opts.payload = &probe;
    opts.on_output = [](int32_t, const char *, size_t, void *payload) -> int32_t {
        auto *p = static_cast<Probe *>(payload);
        Owned out, error;
        p->status = sbx_execute(&out.p, p->sb, p->request.c_str(), nullptr, &error.p);
        p->message = error.str();
        return 0;
    };
    Owned out, error;
    const std::string request = json::serialize(json::object{{"session_id", id}, {"code", "echo hi"}});
    ASSERT_EQ(sbx_execute(&out.p, client_->handle(), request.c_str(), &opts, &error.p), SBX_OK);
    EXPECT_EQ(str(json::parse(out.str()).as_object(), "stdout"), "hi\n");
    EXPECT_EQ(probe.status, SBX_E_INVALID_REQUEST);
    EXPECT_NE(probe.message.find("cannot use the session of its own run"), std::string::npos)
        << probe.message;
    ASSERT_EQ(sbx_session_close(client_->handle(), id.c_str()), SBX_OK);
}

// (A container with a network cannot start where the engine has no working
// bridge, as on our CI machines: only the refusal is tested.)
TEST(SessionNetwork, ARunCannotTurnTheSessionsNetworkOn) {
    Client client(R"({"pool": {"size": 0}, "allow_network": true})");
    const std::string id = str(client.open_session({{"language", "bash"}}), "session_id");
    const auto [status, message] = try_run(
        client, {{"session_id", id}, {"code", "echo ok"}, {"network", true}});
    EXPECT_EQ(status, SBX_E_INVALID_REQUEST);
    EXPECT_EQ(message, "network: is set when a session opens; leave it out");
    EXPECT_EQ(str(client.run({{"session_id", id}, {"code", "echo ok"}, {"network", false}}),
                  "stdout"),
              "ok\n");
    EXPECT_EQ(sbx_session_close(client.handle(), id.c_str()), SBX_OK);
}

// Sessions make boxes of their own: the pool neither lends them nor waits
// for them to come back.
TEST(SessionPool, SessionsLeaveThePoolAlone) {
    Client client(R"({"pool": {"size": 1, "languages": ["python"], "recycle": true}})");
    ASSERT_TRUE(pool_ready(client, "sbx/python:latest", 1));
    for (int i = 0; i < 3; ++i) {
        const std::string id = str(client.open_session({{"language", "python"}}), "session_id");
        EXPECT_EQ(str(client.run({{"session_id", id}, {"code", "print(1)"}}), "stdout"), "1\n");
        EXPECT_EQ(sbx_session_close(client.handle(), id.c_str()), SBX_OK);
    }
    const json::object profile = pool_profile(client, "sbx/python:latest");
    EXPECT_EQ(count_of(profile, "in_use"), 0) << json::serialize(profile);
    EXPECT_EQ(count_of(profile, "ready"), 1) << json::serialize(profile);
}

// The REPL leans on sbx-init's view of /proc and on sessions (setsid); gVisor
// has its own kernel, so the same story runs there too.
TEST(SessionsUnderGvisor, ReplFilesAndResetWork) {
    Client client(R"({"runtime": "runsc", "pool": {"size": 0}})");
    const std::string id =
        str(client.open_session({{"language", "python"}, {"repl", true}}), "session_id");
    auto run = [&](const std::string &code, json::object extra = {}) {
        extra["session_id"] = id;
        extra["code"] = code;
        return client.run(extra);
    };
    run("x = 41\nopen('kept.txt', 'w').write('yes')");
    json::object sum = run("x += 1; print(x)");
    EXPECT_EQ(str(sum, "stdout"), "42\n") << dump(sum);
    json::object background =
        run("import subprocess\np = subprocess.Popen(['sleep', '100'])\nprint('started')");
    EXPECT_EQ(str(background, "stdout"), "started\n") << dump(background);
    EXPECT_EQ(str(run("print(p.poll())"), "stdout"), "None\n"); // the REPL's child lives on
    json::object slow = run("import time\ntime.sleep(30)", {{"limits", {{"time_s", 1}}}});
    EXPECT_EQ(str(slow, "status"), "timeout") << dump(slow);
    EXPECT_TRUE(slow.at("repl").at("state_reset").as_bool());
    json::object after = run("print('x' in globals(), open('kept.txt').read())",
                             {{"collect", json::array{"*.txt"}}});
    EXPECT_EQ(str(after, "stdout"), "False yes\n") << dump(after);
    ASSERT_EQ(after.at("files").as_array().size(), 1u) << dump(after);
    EXPECT_EQ(after.at("files").at(0).at("content"), "yes");
    EXPECT_EQ(sbx_session_close(client.handle(), id.c_str()), SBX_OK);
    EXPECT_TRUE(session_container_gone(id));
}

} // namespace
} // namespace sbx::test
