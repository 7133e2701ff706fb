#!/usr/bin/env python3
"""Times python `print(1)` three ways in one run and prints JSON:

  bare      /usr/bin/python3 -c 'print(1)' on the host
  docker    `docker run --rm` with the same security flags sbx uses
  sbx_host  `sbx-host run` (loads libsbx.so, one fresh container per run)

Each figure is a median over --runs runs, with its ratio to docker run --rm.
The docker CLI is used here only as the baseline to beat.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

DOCKER_FLAGS = [
    "--network=none", "--cap-drop=ALL", "--security-opt=no-new-privileges", "--read-only",
    "--user=65534:65534", "--memory=256m", "--memory-swap=256m", "--cpus=0.5",
    "--pids-limit=64", "--tmpfs=/workspace:rw,exec,nosuid,nodev,size=64m",
    "--tmpfs=/tmp:rw,exec,nosuid,nodev,size=64m,mode=1777", "--workdir=/workspace",
]


def time_command(argv, runs, expect):
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        done = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, check=False)
        samples.append((time.perf_counter() - start) * 1000)
        if expect not in done.stdout:
            sys.exit(f"unexpected output from {argv[0]}: {done.stdout[:200]!r}")
    samples.sort()
    return {
        "runs": runs,
        "p50_ms": round(statistics.median(samples), 1),
        "p90_ms": round(samples[int(len(samples) * 0.9) - 1], 1),
        "min_ms": round(samples[0], 1),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--build", default=os.path.join(ROOT, "build"))
    parser.add_argument("--image", default="sbx/python:latest")
    args = parser.parse_args()

    host = os.path.join(args.build, "bin", "sbx-host")
    results = {
        "bare": time_command(["/usr/bin/python3", "-c", "print(1)"], args.runs, b"1"),
        "docker": time_command(["docker", "run", "--rm", *DOCKER_FLAGS, args.image,
                                "python3", "-c", "print(1)"], args.runs, b"1"),
        "sbx_host": time_command([host, "run", "--language", "python", "-c", "print(1)"],
                                 args.runs, b'"status":"success"'),
    }
    base = results["docker"]["p50_ms"]
    for figure in results.values():
        figure["p50_vs_docker_run"] = round(figure["p50_ms"] / base, 3)
    print(json.dumps({"benchmark": "python print(1)", "results": results}, indent=2))


if __name__ == "__main__":
    main()
