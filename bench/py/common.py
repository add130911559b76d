"""Shared by the benchmark's Python clients: settings from the environment, RSS, output."""

from __future__ import annotations

import json
import os
import sys
import time
from typing import Callable


def env(name: str) -> str:
    value = os.environ.get(name, "")
    if not value:
        sys.exit(f"error: environment variable {name} is not set")
    return value


def proc_status_kb(field: str) -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return -1


def main(get_once: Callable[[], int], argv: list[str]) -> None:
    """Runs the mode in argv with `get_once` (one GET, returns the HTTP status).

    loop N: N GETs after 100 warm-up ones, prints {"us_per_req": ..};
    cold: one GET, prints "ok"; memory N: VmRSS after warm-up and VmHWM after N GETs (kB).
    """
    mode = argv[1] if len(argv) > 1 else ""

    def run(n: int) -> None:
        for _ in range(n):
            status = get_once()
            if status != 200:
                sys.exit(f"unexpected answer {status}")

    if mode == "cold":
        ok = get_once() == 200
        print("ok" if ok else "failed", flush=True)
        sys.exit(0 if ok else 1)
    if mode == "loop" and len(argv) == 3:
        n = int(argv[2])
        run(100)
        t0 = time.perf_counter()
        run(n)
        elapsed = time.perf_counter() - t0
        print(json.dumps({"us_per_req": elapsed * 1e6 / max(n, 1), "n": n}))
        return
    if mode == "memory" and len(argv) == 3:
        n = int(argv[2])
        run(1000)
        before = proc_status_kb("VmRSS")
        run(n)
        print(json.dumps({"rss_after_warmup_kb": before, "peak_kb": proc_status_kb("VmHWM"), "n": n}))
        return
    sys.exit("usage: SCRIPT loop N | cold | memory N")
