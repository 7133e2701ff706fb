#!/usr/bin/env python3
"""sbx against `docker run --rm` and a bare process, in one run; prints JSON.

    python3 bench/bench.py > bench.json          # after scripts/build
    python3 bench/bench.py --runs 30 --build build --quick

Measures python `print(1)` and a C hello world under:

  bare         the host: /usr/bin/python3 -c 'print(1)'; a C hello compiled
               once on the host (bare_compile_and_run: gcc + run, each time)
  docker_run   `docker run --rm --pull=never` with the security flags sbx uses
               (C: gcc + run inside the container, as sbx does)
  sbx_cold     libsbx.so through bindings/python/sbx.py, pool off: a fresh
               container per run, created, attached and started on the call
  sbx_warm     pool on, one container per run: each timed run finds a warm
               container (the bench waits for the refill between runs)
  sbx_recycle  pool on, recycle on: one container serves run after run
  sbx_session  (python) runs in one session: one container, files kept
  sbx_repl     (python) cells in a REPL session: one interpreter, state kept

and reports p50/p90 over --runs runs each; throughput of --tp-runs runs from
--callers concurrent callers (docker run CLI, sbx cold, warm, recycle); the
plugin's RSS after 100 and after 1000 runs (a child process); the cold path
step by step (bin/sbx_bench_phases); and each figure as a ratio to
`docker run --rm` from this same run. Nothing leaves this machine: local
images only (--pull=never), no network in any container.
"""
import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "bindings", "python"))
import sbx  # noqa: E402  (the ctypes binding of this repository)

PY_CODE = "print(1)"
C_CODE = '#include <stdio.h>\nint main(void) { puts("hello"); return 0; }\n'
PY_IMAGE = "sbx/python:latest"
C_IMAGE = "sbx/gcc:latest"

# What container_spec() sets (plugin/src/runner/docker_backend.cpp), as CLI flags.
DOCKER_FLAGS = [
    "--pull=never", "--network=none", "--cap-drop=ALL", "--security-opt=no-new-privileges",
    "--read-only", "--user=65534:65534", "--memory=256m", "--memory-swap=256m", "--cpus=0.5",
    "--pids-limit=64", "--ipc=private", "--shm-size=64m",
    "--tmpfs=/workspace:rw,exec,nosuid,nodev,size=64m,uid=65534,gid=65534",
    "--tmpfs=/tmp:rw,exec,nosuid,nodev,size=64m,mode=1777", "--workdir=/workspace",
    "--ulimit=nofile=1024:1024", "--ulimit=core=0:0", "--ulimit=fsize=67108864:67108864",
    "--label=org.sbx.bench=docker_run",
]
DOCKER_PY = ["docker", "run", "--rm", *DOCKER_FLAGS, PY_IMAGE, "python3", "-c", PY_CODE]
DOCKER_C = ["docker", "run", "--rm", "-e", "SRC=" + C_CODE, *DOCKER_FLAGS, C_IMAGE, "sh", "-c",
            'printf "%s" "$SRC" > main.c && gcc -O2 -o main main.c -lm && ./main']

GOALS = [
    ("warm python p50 / docker run p50", "<=", 0.15),
    ("warm python p50 - bare python p50 (ms)", "<=", 30.0),
    ("cold python p50 / docker run p50", "<=", 1.0),
    ("warm throughput / CLI throughput", ">=", 1.0),
    ("recycle throughput / CLI throughput", ">=", 3.0),
    ("RSS after 1000 runs - RSS after 100 runs (MB)", "<=", 5.0),
]


def log(*args):
    print(*args, file=sys.stderr, flush=True)


def summary(samples):
    s = sorted(samples)
    return {
        "runs": len(s),
        "p50_ms": round(statistics.median(s), 1),
        "p90_ms": round(s[min(len(s) - 1, int(len(s) * 0.9))], 1),
        "min_ms": round(s[0], 1),
    }


def time_command(argv, runs, expect):
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        done = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, check=False)
        samples.append((time.perf_counter() - start) * 1000)
        if expect not in done.stdout:
            sys.exit("unexpected output from %s: %r %r" % (argv[:3], done.stdout[:200],
                                                           done.stderr[:400]))
    return summary(samples)


def pool_ready(sb, language_image, n=1):
    for p in sb.health()["pool"]["profiles"]:
        if p["image"] == language_image and p["ready"] >= n:
            return True
    return False


def wait_ready(sb, image, n=1, limit=60.0):
    until = time.monotonic() + limit
    while time.monotonic() < until:
        if pool_ready(sb, image, n):
            return True
        time.sleep(0.01)
    return False


def time_sbx(execute, code, expect, runs, wait=None):
    """Times execute(code) (sb.execute for a language, or a session's);
    with wait, calls it (untimed) before each run. Returns the summary and
    how many runs went cold."""
    samples, cold = [], 0
    for _ in range(runs):
        if wait and not wait():
            sys.exit("the pool did not refill within 60 s")
        start = time.perf_counter()
        r = execute(code)
        samples.append((time.perf_counter() - start) * 1000)
        if r["status"] != "success" or r["stdout"] != expect:
            sys.exit("unexpected sbx result: %s" % json.dumps(r)[:600])
        if r["timings_ms"]["setup"] >= 50:
            cold += 1
    out = summary(samples)
    out["runs_that_went_cold"] = cold
    return out


def in_language(sb, language):
    return lambda code: sb.execute(language=language, code=code)


def sandbox(build, size, recycle=False, languages=("python", "c"), concurrency=8):
    config = {"pool": {"size": size, "languages": list(languages), "recycle": recycle},
              "max_concurrency": concurrency, "log_level": "warn"}
    return sbx.Sandbox(config, plugin=os.path.join(build, "lib", "libsbx.so"))


def throughput(work, runs, callers):
    """Runs work() `runs` times from `callers` threads; runs per second."""
    left = [runs]
    lock = threading.Lock()
    errors = []

    def caller():
        while True:
            with lock:
                if left[0] == 0 or errors:
                    return
                left[0] -= 1
            try:
                work()
            except Exception as e:  # noqa: BLE001 - reported below
                errors.append(e)

    threads = [threading.Thread(target=caller) for _ in range(callers)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - start
    if errors:
        sys.exit("throughput run failed: %r" % errors[0])
    return {"runs": runs, "callers": callers, "seconds": round(elapsed, 2),
            "runs_per_s": round(runs / elapsed, 2)}


def sbx_work(sb):
    def work():
        r = sb.execute(language="python", code=PY_CODE)
        if r["status"] != "success" or r["stdout"] != "1\n":
            raise RuntimeError(json.dumps(r)[:400])
    return work


def cli_work():
    done = subprocess.run(DOCKER_PY, stdout=subprocess.PIPE, stderr=subprocess.PIPE, check=False)
    if done.stdout != b"1\n":
        raise RuntimeError(done.stderr[:400])


def rss_child(build, runs_first, runs_total):
    """Runs a child that loads libsbx.so and makes runs_total runs (4 callers,
    recycle pool), reading its VmRSS after runs_first and after runs_total."""
    code = r"""
import json, sys, threading
sys.path.insert(0, sys.argv[1])
import sbx
def rss_kb():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
first, total, callers = int(sys.argv[3]), int(sys.argv[4]), 4
config = {"pool": {"size": callers, "languages": ["python"], "recycle": True},
          "max_concurrency": 8, "log_level": "warn"}
def batch(sb, n):
    left = [n]
    lock = threading.Lock()
    def caller():
        while True:
            with lock:
                if left[0] == 0:
                    return
                left[0] -= 1
            r = sb.execute(language="python", code="print(1)")
            assert r["status"] == "success", r
    threads = [threading.Thread(target=caller) for _ in range(callers)]
    for t in threads: t.start()
    for t in threads: t.join()
with sbx.Sandbox(config, plugin=sys.argv[2]) as sb:
    rss_start = rss_kb()
    batch(sb, first)
    rss_first = rss_kb()
    batch(sb, total - first)
    rss_total = rss_kb()
    pool = sb.health()["pool"]
print(json.dumps({"rss_at_start_kb": rss_start, "rss_after_%d_runs_kb" % first: rss_first,
                  "rss_after_%d_runs_kb" % total: rss_total,
                  "delta_kb": rss_total - rss_first, "recycled": pool["recycled"],
                  "retired": pool["retired"]}))
"""
    done = subprocess.run(
        [sys.executable, "-c", code, os.path.join(ROOT, "bindings", "python"),
         os.path.join(build, "lib", "libsbx.so"), str(runs_first), str(runs_total)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, check=False, text=True)
    if done.returncode != 0:
        sys.exit("RSS child failed: " + done.stderr[-2000:])
    return json.loads(done.stdout)


def ratio(value, base):
    return round(value / base, 3) if base else None


def add_ratios(figures, base):
    for f in figures.values():
        f["p50_vs_docker_run"] = ratio(f["p50_ms"], base["p50_ms"])
        f["p90_vs_docker_run"] = ratio(f["p90_ms"], base["p90_ms"])


def machine():
    with open("/proc/loadavg") as f:
        load = [float(x) for x in f.read().split()[:3]]
    docker = subprocess.run(["docker", "version", "--format", "{{.Server.Version}}"],
                            stdout=subprocess.PIPE, text=True, check=False).stdout.strip()
    return {"cpus": os.cpu_count(), "kernel": platform.release(), "docker": docker,
            "loadavg": load}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30, help="runs per latency figure (>= 30)")
    parser.add_argument("--tp-runs", type=int, default=200, help="runs per throughput figure")
    parser.add_argument("--callers", type=int, default=4)
    parser.add_argument("--build", default=os.path.join(ROOT, "build"))
    parser.add_argument("--quick", action="store_true", help="skip the RSS and phases figures")
    args = parser.parse_args()
    build = os.path.abspath(args.build)
    out = {"schema": "sbx.bench/1", "command": " ".join(["python3", "bench/bench.py"] + sys.argv[1:]),
           "machine_before": machine()}

    with tempfile.TemporaryDirectory(prefix="sbx-bench-") as tmp:
        # ---- latency ---------------------------------------------------
        src = os.path.join(tmp, "hello.c")
        exe = os.path.join(tmp, "hello")
        with open(src, "w") as f:
            f.write(C_CODE)
        subprocess.run(["gcc", "-O2", "-o", exe, src, "-lm"], check=True)
        latency = {"python": {}, "c": {}}
        log("latency: bare")
        latency["python"]["bare"] = time_command(["/usr/bin/python3", "-c", PY_CODE], args.runs, b"1")
        latency["c"]["bare"] = time_command([exe], args.runs, b"hello")
        latency["c"]["bare_compile_and_run"] = time_command(
            ["sh", "-c", 'gcc -O2 -o "$1" "$2" -lm && "$1"', "sh", exe, src], args.runs, b"hello")
        log("latency: docker run")
        latency["python"]["docker_run"] = time_command(DOCKER_PY, args.runs, b"1")
        latency["c"]["docker_run"] = time_command(DOCKER_C, args.runs, b"hello")

        log("latency: sbx cold")
        with sandbox(build, 0) as sb:
            latency["python"]["sbx_cold"] = time_sbx(in_language(sb, "python"), PY_CODE, "1\n",
                                                     args.runs)
            latency["c"]["sbx_cold"] = time_sbx(in_language(sb, "c"), C_CODE, "hello\n", args.runs)
        log("latency: sbx warm")
        with sandbox(build, 1) as sb:
            latency["python"]["sbx_warm"] = time_sbx(in_language(sb, "python"), PY_CODE, "1\n",
                                                     args.runs, wait=lambda: wait_ready(sb, PY_IMAGE))
            latency["c"]["sbx_warm"] = time_sbx(in_language(sb, "c"), C_CODE, "hello\n", args.runs,
                                                wait=lambda: wait_ready(sb, C_IMAGE))
        log("latency: sbx recycle")
        with sandbox(build, 1, recycle=True) as sb:
            wait_ready(sb, PY_IMAGE)
            wait_ready(sb, C_IMAGE)
            latency["python"]["sbx_recycle"] = time_sbx(in_language(sb, "python"), PY_CODE, "1\n",
                                                        args.runs)
            latency["c"]["sbx_recycle"] = time_sbx(in_language(sb, "c"), C_CODE, "hello\n",
                                                   args.runs)
        log("latency: sbx session and REPL")
        with sandbox(build, 0, languages=["python"]) as sb:
            with sb.open_session("python") as session:
                latency["python"]["sbx_session"] = time_sbx(session.execute, PY_CODE, "1\n",
                                                            args.runs)
            with sb.open_session("python", repl=True) as session:
                latency["python"]["sbx_repl"] = time_sbx(session.execute, PY_CODE, "1\n", args.runs)
        for figures in latency.values():
            add_ratios(figures, figures["docker_run"])
        out["latency"] = latency

    # ---- throughput ------------------------------------------------------
    tp = {}
    log("throughput: docker run CLI")
    tp["docker_run"] = throughput(cli_work, args.tp_runs, args.callers)
    log("throughput: sbx cold")
    with sandbox(build, 0, languages=["python"]) as sb:
        tp["sbx_cold"] = throughput(sbx_work(sb), args.tp_runs, args.callers)
    log("throughput: sbx warm")
    with sandbox(build, args.callers, languages=["python"]) as sb:
        wait_ready(sb, PY_IMAGE, args.callers)
        tp["sbx_warm"] = throughput(sbx_work(sb), args.tp_runs, args.callers)
        tp["sbx_warm"]["pool_size"] = args.callers
    log("throughput: sbx recycle")
    with sandbox(build, args.callers, recycle=True, languages=["python"]) as sb:
        wait_ready(sb, PY_IMAGE, args.callers)
        tp["sbx_recycle"] = throughput(sbx_work(sb), args.tp_runs, args.callers)
        tp["sbx_recycle"]["pool_size"] = args.callers
        tp["sbx_recycle"]["retired"] = sb.health()["pool"]["retired"]
    for f in tp.values():
        f["vs_docker_run"] = ratio(f["runs_per_s"], tp["docker_run"]["runs_per_s"])
    out["throughput_python"] = tp

    # ---- memory and the cold path ----------------------------------------
    if not args.quick:
        log("rss: 1000 runs")
        out["rss"] = rss_child(build, 100, 1000)
        phases = os.path.join(build, "bin", "sbx_bench_phases")
        if os.access(phases, os.X_OK):
            log("cold path phases")
            done = subprocess.run([phases, str(args.runs)], stdout=subprocess.PIPE, text=True,
                                  check=False)
            if done.returncode == 0:
                out["cold_phases"] = json.loads(done.stdout)

    # ---- goals -----------------------------------------------------------
    py = out["latency"]["python"]
    values = [
        ratio(py["sbx_warm"]["p50_ms"], py["docker_run"]["p50_ms"]),
        round(py["sbx_warm"]["p50_ms"] - py["bare"]["p50_ms"], 1),
        ratio(py["sbx_cold"]["p50_ms"], py["docker_run"]["p50_ms"]),
        tp["sbx_warm"]["vs_docker_run"],
        tp["sbx_recycle"]["vs_docker_run"],
        round(out["rss"]["delta_kb"] / 1024, 2) if "rss" in out else None,
    ]
    out["goals"] = []
    for (figure, op, goal), value in zip(GOALS, values):
        met = None if value is None else (value <= goal if op == "<=" else value >= goal)
        out["goals"].append({"figure": figure, "goal": "%s %s" % (op, goal), "value": value,
                             "met": met})
    out["machine_after"] = machine()
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    if shutil.which("docker") is None:
        sys.exit("the docker CLI is needed for the docker run baseline")
    main()
