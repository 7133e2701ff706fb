// Shared by the hostile-program suites (test_hostile_<topic>.cpp, fixtures
// Hostile<Topic>): a sandbox on the runtime that SBX_TEST_RUNTIME names (runc
// when unset; ctest runs these suites once more with runsc), run helpers that
// time each call, and the check every case ends with: the next run on the
// same sandbox is clean.
//
// Limits are small on purpose (time 2-3 s, memory 64 MB, disk 8 MB) so that
// the whole hostile suite stays quick.
#pragma once

#include "docker/engine.hpp"
#include "integration/client.hpp"

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

namespace sbx::test {

// "runc" or "runsc" (gVisor): the engine runtime the hostile suites use.
inline std::string test_runtime() {
    const char *r = std::getenv("SBX_TEST_RUNTIME");
    return r && *r ? r : "runc";
}

inline bool under_gvisor() { return test_runtime() == "runsc"; }

struct Timed {
    json::object result;
    double seconds = 0; // wall time of the whole sbx_execute call
};

inline double number(const json::object &o, const char *key) {
    return o.at(key).to_number<double>();
}

// Every pid on the host whose command line is exactly `argv` (NULs between
// the words). Under runc a container's processes are host processes; under
// runsc they live inside the gVisor kernel and the host never sees them.
inline std::vector<std::string> host_processes_running(const std::vector<std::string> &argv) {
    std::string want;
    for (const std::string &a : argv)
        want += a + '\0';
    std::vector<std::string> found;
    std::error_code ec;
    for (const auto &e : std::filesystem::directory_iterator("/proc", ec)) {
        const std::string pid = e.path().filename();
        if (pid.find_first_not_of("0123456789") != std::string::npos)
            continue;
        std::ifstream in(e.path() / "cmdline", std::ios::binary);
        std::string cmdline((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        if (cmdline == want)
            found.push_back(pid);
    }
    return found;
}

class Hostile : public ::testing::Test {
protected:
    // No warm pool: every run starts its own container, so that a case and
    // the run after it never depend on when the pool refilled.
    static void SetUpTestSuite() {
        client_ = new Client(json::serialize(
            json::object{{"runtime", test_runtime()}, {"pool", json::object{{"size", 0}}}}));
    }
    static void TearDownTestSuite() {
        delete client_;
        client_ = nullptr;
    }

    static Timed run(const std::string &language, const std::string &code,
                     json::object limits = {}, json::object extra = {}) {
        json::object request = std::move(extra);
        request["language"] = language;
        request["code"] = code;
        if (!limits.empty())
            request["limits"] = std::move(limits);
        const auto start = std::chrono::steady_clock::now();
        Timed t{client_->run(request), 0};
        t.seconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        return t;
    }

    // The run after a hostile one, on the same sandbox and in the same
    // language: it succeeds, sees no process but sbx-init and itself, no file
    // in the workspace but its own, and nothing in /tmp or /dev/shm.
    static void expect_next_run_clean(const std::string &language) {
        const Timed next = run(language, clean_check(language));
        EXPECT_EQ(str(next.result, "status"), "success") << dump(next.result);
        EXPECT_EQ(str(next.result, "stdout"), "clean\n") << dump(next.result);
    }

    // Whether the engine still has the container of run `id` (our label
    // org.sbx.run; the pool is off, so every run has one).
    static bool container_of_run_exists(const std::string &id);

    // Waits until the engine has removed the container of run `id`, with
    // every process in it.
    static bool container_of_run_gone(const std::string &id, double within_s = 20) {
        const auto until = std::chrono::steady_clock::now() +
                           std::chrono::milliseconds(static_cast<int64_t>(within_s * 1000));
        while (container_of_run_exists(id)) {
            if (std::chrono::steady_clock::now() >= until)
                return false;
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
        return true;
    }

    inline static Client *client_ = nullptr;

private:
    static std::string clean_check(const std::string &language) {
        if (language == "python")
            return R"PY(import os
bad = []
for p in os.listdir('/proc'):
    if p.isdigit() and int(p) not in (1, os.getpid()):
        bad.append('process ' + p)
for d, own in (('/workspace', {'main.py'}), ('/tmp', set()), ('/dev/shm', set())):
    bad += ['file %s/%s' % (d, n) for n in os.listdir(d) if n not in own]
print('\n'.join(bad) or 'clean')
)PY";
        if (language == "c")
            return R"C(#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
static int bad;
static void check(const char *dir, const char *own1, const char *own2, int procs) {
    DIR *d = opendir(dir);
    struct dirent *e;
    if (!d) { printf("cannot list %s\n", dir); bad = 1; return; }
    while ((e = readdir(d))) {
        const char *n = e->d_name;
        if (!strcmp(n, ".") || !strcmp(n, "..")) continue;
        if (procs) {
            if (strspn(n, "0123456789") != strlen(n)) continue;
            if (atoi(n) == 1 || atoi(n) == getpid()) continue;
            printf("process %s\n", n); bad = 1;
        } else if ((!own1 || strcmp(n, own1)) && (!own2 || strcmp(n, own2))) {
            printf("file %s/%s\n", dir, n); bad = 1;
        }
    }
    closedir(d);
}
int main(void) {
    check("/proc", 0, 0, 1);
    check("/workspace", "main.c", "main", 0);
    check("/tmp", 0, 0, 0);
    check("/dev/shm", 0, 0, 0);
    if (!bad) puts("clean");
    return 0;
}
)C";
        // bash: globs and builtins only (coreutils' ls fails under old runsc).
        return R"SH(shopt -s nullglob dotglob
bad=()
for p in /proc/[0-9]*; do
    p=${p#/proc/}
    [[ $p == 1 || $p == "$$" ]] || bad+=("process $p")
done
for f in /workspace/* /tmp/* /dev/shm/*; do
    [[ $f == /workspace/main.sh ]] || bad+=("file $f")
done
if ((${#bad[@]})); then printf '%s\n' "${bad[@]}"; else echo clean; fi
)SH";
    }
};

inline bool Hostile::container_of_run_exists(const std::string &id) {
    static docker::Engine engine(docker::default_endpoint());
    // filters={"label":["org.sbx.run=<id>"]}; the id is hex.
    const docker::Response r = engine.checked(
        "GET", "/containers/json?all=1&filters=%7B%22label%22%3A%5B%22org.sbx.run%3D" + id +
                   "%22%5D%7D",
        std::nullopt, std::chrono::seconds(10));
    return !r.json().as_array().empty();
}

} // namespace sbx::test
