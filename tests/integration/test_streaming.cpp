// ABI 1.1: output streamed while the program runs, and cancellation (from
// the output callback and from another thread); a 1.0 host still works.
#include "docker/engine.hpp"
#include "integration/client.hpp"
#include "util/url.hpp"

#include <atomic>
#include <cstring>
#include <chrono>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace sbx::test {
namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t) {
    return std::chrono::duration<double>(Clock::now() - t).count();
}

struct Chunk {
    int32_t stream;
    std::string data;
    double at_s; // since the call began
};

// What on_output saw; `stop_after` > 0: ask to stop after that many chunks.
struct Recorder {
    Clock::time_point start = Clock::now();
    std::mutex mutex;
    std::vector<Chunk> chunks;
    size_t stop_after = 0;
    std::thread::id thread;

    static int32_t on_output(int32_t stream, const char *data, size_t len, void *payload) {
        auto *self = static_cast<Recorder *>(payload);
        std::lock_guard lock(self->mutex);
        self->thread = std::this_thread::get_id();
        self->chunks.push_back({stream, std::string(data, len), seconds_since(self->start)});
        return self->stop_after > 0 && self->chunks.size() >= self->stop_after ? 1 : 0;
    }

    std::string joined(int32_t stream) {
        std::lock_guard lock(mutex);
        std::string all;
        for (const Chunk &c : chunks)
            if (c.stream == stream)
                all += c.data;
        return all;
    }
};

// The pool is off: every run has a container of its own, labelled with the
// run's id, which the tests look for afterwards.
class Streaming : public ::testing::Test {
protected:
    static void SetUpTestSuite() { client_ = new Client(R"({"pool": {"size": 0}})"); }
    static void TearDownTestSuite() {
        delete client_;
        client_ = nullptr;
    }

    static json::object execute(const json::object &request, const sbx_exec_options *opts) {
        Owned out, error;
        const std::string text = json::serialize(request);
        const sbx_status s = sbx_execute(&out.p, client_->handle(), text.c_str(), opts, &error.p);
        if (s != SBX_OK)
            throw std::runtime_error(std::string(sbx_status_name(s)) + ": " + error.str());
        return json::parse(out.str()).as_object();
    }

    static sbx_exec_options options(Recorder *recorder, sbx_cancel_token *token = nullptr) {
        sbx_exec_options o{};
        o.struct_size = sizeof o;
        o.cancel = token;
        o.on_output = recorder ? &Recorder::on_output : nullptr;
        o.payload = recorder;
        return o;
    }

    // Whether the engine still has a container of run `id`, waiting up to 10 s
    // for its removal (which happens off the caller's path).
    static bool container_gone(const std::string &id) {
        docker::Engine engine(docker::default_endpoint());
        const std::string query =
            util::url_encode("{\"label\":[\"org.sbx.run=" + id + "\"]}");
        const auto until = Clock::now() + std::chrono::seconds(10);
        while (Clock::now() < until) {
            const json::value list =
                engine.checked("GET", "/containers/json?all=1&filters=" + query, std::nullopt,
                               std::chrono::seconds(10))
                    .json();
            if (list.as_array().empty())
                return true;
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
        return false;
    }

    static std::string str(const json::object &o, const char *key) {
        const json::value *v = o.if_contains(key);
        return v && v->is_string() ? std::string(v->as_string()) : std::string();
    }

    inline static Client *client_ = nullptr;
};

TEST_F(Streaming, FirstChunkArrivesBeforeTheProgramEnds) {
    Recorder rec;
    const sbx_exec_options o = options(&rec);
    const json::object r = execute({{"language", "python"},
                                    {"code", "import time\nprint('first', flush=True)\n"
                                             "time.sleep(2)\nprint('second', flush=True)\n"}},
                                   &o);
    const double total = seconds_since(rec.start);
    ASSERT_EQ(str(r, "status"), "success") << json::serialize(r);
    ASSERT_FALSE(rec.chunks.empty());
    EXPECT_EQ(rec.chunks.front().stream, SBX_STREAM_STDOUT);
    // The first line (print may write it in two pieces) came while the
    // program slept, 2 s before it ended.
    std::string early;
    for (const Chunk &c : rec.chunks)
        if (c.at_s < total - 1.5)
            early += c.data;
    EXPECT_EQ(early, "first\n") << "first chunk at " << rec.chunks.front().at_s << " s of "
                                << total << " s";
    EXPECT_EQ(rec.joined(SBX_STREAM_STDOUT), "first\nsecond\n");
    EXPECT_EQ(rec.thread, std::this_thread::get_id()) << "on_output ran on another thread";
}

TEST_F(Streaming, OrderIsKeptWithinEachStream) {
    Recorder rec;
    const sbx_exec_options o = options(&rec);
    const json::object r =
        execute({{"language", "python"},
                 {"code", "import sys, time\n"
                          "for i in range(300):\n"
                          "    print(i, flush=True)\n"
                          "    print('e%d' % i, file=sys.stderr, flush=True)\n"
                          "    if i % 50 == 0: time.sleep(0.05)\n"}},
                &o);
    ASSERT_EQ(str(r, "status"), "success") << json::serialize(r);
    std::string out, err;
    for (int i = 0; i < 300; ++i) {
        out += std::to_string(i) + "\n";
        err += "e" + std::to_string(i) + "\n";
    }
    EXPECT_EQ(rec.joined(SBX_STREAM_STDOUT), out);
    EXPECT_EQ(rec.joined(SBX_STREAM_STDERR), err);
    // The result document holds the same text.
    EXPECT_EQ(str(r, "stdout"), out);
    EXPECT_EQ(str(r, "stderr"), err);
    EXPECT_GT(rec.chunks.size(), 2u) << "the output came in one piece";
}

TEST_F(Streaming, CompileOutputHasItsOwnStreams) {
    Recorder rec;
    const sbx_exec_options o = options(&rec);
    const json::object r = execute({{"language", "c"}, {"code", "int main(void) { return x; }\n"}}, &o);
    EXPECT_EQ(str(r, "status"), "compile_error") << json::serialize(r);
    EXPECT_NE(rec.joined(SBX_STREAM_COMPILE_STDERR).find("error"), std::string::npos);
    EXPECT_EQ(rec.joined(SBX_STREAM_STDOUT), "");
    EXPECT_EQ(rec.joined(SBX_STREAM_STDERR), "");
}

TEST_F(Streaming, NonZeroFromTheCallbackCancelsTheRun) {
    Recorder rec;
    rec.stop_after = 1;
    const sbx_exec_options o = options(&rec);
    // bash's echo writes its line at once (python's print may write it in
    // two pieces, and the run is cancelled after the first).
    const json::object r =
        execute({{"language", "bash"}, {"code", "echo going\nsleep 30\necho never\n"}}, &o);
    const double total = seconds_since(rec.start);
    EXPECT_EQ(str(r, "status"), "cancelled") << json::serialize(r);
    EXPECT_EQ(str(r, "stdout"), "going\n") << json::serialize(r);
    EXPECT_LT(total, 10) << "a cancelled run took " << total << " s";
    EXPECT_TRUE(container_gone(str(r, "id")));
}

TEST_F(Streaming, TokenFiredFromAnotherThreadCancelsWithinASecond) {
    sbx_cancel_token *token = nullptr;
    ASSERT_EQ(sbx_cancel_token_new(&token), SBX_OK);
    Recorder rec;
    const sbx_exec_options o = options(&rec, token);
    std::atomic<double> fired_at{0};
    std::thread canceller([&] {
        // Once the program runs (its first output), give it a moment, fire.
        while (rec.joined(SBX_STREAM_STDOUT).empty() && seconds_since(rec.start) < 20)
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        std::this_thread::sleep_for(std::chrono::milliseconds(300));
        fired_at = seconds_since(rec.start);
        sbx_cancel_token_cancel(token);
    });
    const json::object r = execute(
        {{"language", "bash"}, {"code", "echo started\nsleep 60\necho never\n"}}, &o);
    const double ended = seconds_since(rec.start);
    canceller.join();
    EXPECT_EQ(str(r, "status"), "cancelled") << json::serialize(r);
    EXPECT_EQ(str(r, "stdout"), "started\n") << json::serialize(r);
    EXPECT_LT(ended - fired_at.load(), 1.0) << "cancel took " << ended - fired_at.load() << " s";
    EXPECT_TRUE(container_gone(str(r, "id")));

    // A fired token cancels a later run before it starts.
    const sbx_exec_options again = options(nullptr, token);
    const json::object late = execute({{"language", "python"}, {"code", "print(1)"}}, &again);
    EXPECT_EQ(str(late, "status"), "cancelled") << json::serialize(late);
    EXPECT_EQ(str(late, "stdout"), "");
    sbx_cancel_token_free(token);
}

TEST_F(Streaming, CancelThroughTheToolCall) {
    sbx_cancel_token *token = nullptr;
    ASSERT_EQ(sbx_cancel_token_new(&token), SBX_OK);
    sbx_cancel_token_cancel(token);
    sbx_cancel_token_cancel(token); // idempotent
    sbx_exec_options o = options(nullptr, token);
    Owned out, error;
    ASSERT_EQ(sbx_call_tool(&out.p, client_->handle(), "execute_code",
                            R"j({"language": "python", "code": "print(1)"})j", &o, &error.p),
              SBX_OK)
        << error.str();
    const json::value result = json::parse(out.str());
    EXPECT_EQ(result.at("structuredContent").at("status"), json::value("cancelled")) << out.str();
    sbx_cancel_token_free(token);
    sbx_cancel_token_cancel(nullptr);
    sbx_cancel_token_free(nullptr);
}

// A host built against ABI 1.0: it negotiates 1.0 and passes the 1.0
// options struct (struct_size and reserved only); nothing past it is read.
TEST_F(Streaming, AHostOnAbi10StillWorks) {
    uint32_t version = 1u << 16; // 1.0
    ASSERT_EQ(sbx_negotiate_abi(&version), SBX_OK);
    EXPECT_EQ(version, 1u << 16);
    struct options_1_0 {
        uint32_t struct_size;
        uint32_t reserved;
    };
    // Garbage after the 1.0 struct, where 1.1's fields would be.
    struct {
        options_1_0 head;
        unsigned char tail[64];
    } memory;
    std::memset(&memory, 0xAB, sizeof memory);
    memory.head = {sizeof(options_1_0), 0};
    const json::object r = execute({{"language", "python"}, {"code", "print('one oh')"}},
                                   reinterpret_cast<const sbx_exec_options *>(&memory.head));
    EXPECT_EQ(str(r, "status"), "success") << json::serialize(r);
    EXPECT_EQ(str(r, "stdout"), "one oh\n");
}

// With one slot taken by a long run, a second run waits for it; a cancel
// ends that wait at once, without a container.
TEST(StreamingGate, ACancelEndsTheWaitForASlot) {
    Client client(R"({"pool": {"size": 0}, "max_concurrency": 1})");
    std::thread holder([&] { client.run({{"language", "bash"}, {"code", "sleep 4"}}); });
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    const CancelledRun cancelled = execute_cancelled_after(
        client.handle(), {{"language", "bash"}, {"code", "echo no"}}, std::chrono::milliseconds(300));
    holder.join();
    const json::object &result = cancelled.result;
    EXPECT_EQ(result.at("status"), "cancelled") << dump(result);
    EXPECT_EQ(result.at("stdout"), "");
    // Well before the holder's 4 s run ended.
    EXPECT_LT(cancelled.took, std::chrono::seconds(2));
}

} // namespace
} // namespace sbx::test
