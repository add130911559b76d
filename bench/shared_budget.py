"""The shared budget (`shared_state`) under load, for `make bench` (a section of bench/run.py).

Worker processes (tests/workers/shared_state_worker.rs, built with --release) each build their
own client for one organization, as PHP-FPM workers, cron jobs or app servers would, against a
sandbox that enforces a scaled-down limit. Reported: the 429s the sandbox sent (goal 0), its
token requests (goal 1), and the rate all workers achieved together as a share of the allowed
rate (goal >= 95%). Then what sharing costs per request, against the per-process window, with
the limit set high enough never to wait.
"""

from __future__ import annotations

import json
import shutil
import socket
import statistics
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Tuple

LIMIT, WINDOW_MS = 20, 2000


class RedisServer:
    """A redis-server on a free loopback port in a temporary folder, nothing saved."""

    def __init__(self) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="dinero-bench-redis."))
        for _ in range(5):
            with socket.socket() as s:
                s.bind(("127.0.0.1", 0))
                self.port = s.getsockname()[1]
            log_file = self.dir / "redis.log"
            self.proc = subprocess.Popen(
                ["redis-server", "--bind", "127.0.0.1", "--port", str(self.port), "--save", "",
                 "--appendonly", "no", "--dir", str(self.dir), "--logfile", str(log_file)],
                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline and self.proc.poll() is None:
                if log_file.exists() and "Ready to accept" in log_file.read_text(errors="replace"):
                    return
                time.sleep(0.02)
            self.stop()
        raise SystemExit("bench: redis-server did not start")

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


def run_workers(worker: Path, sandbox: Any, groups: List[int], requests: int,
                options: Dict[str, str]) -> Tuple[List[Dict[str, Any]], float]:
    """Starts all groups' workers at once; returns their reports and the seconds from the first
    worker's first request to the last worker's last answer."""
    env = sandbox.env
    job = json.dumps({
        "client_id": env["DINERO_CLIENT_ID"], "client_secret": env["DINERO_CLIENT_SECRET"],
        "api_key": env["DINERO_API_KEY"], "requests": requests,
        "path": "/v1/{organizationId}/contacts?page=0&pageSize=10",
        "options": {"auth_url": env["DINERO_AUTH_URL"], "api_url": env["DINERO_API_URL"],
                    "organization_id": env["DINERO_ORGANIZATION_ID"],
                    "shared_state_timeout_ms": "2000", **options},
    })
    procs = [subprocess.Popen([str(worker)], env={"DINERO_WORKER": job},
                              stdin=subprocess.DEVNULL, stdout=subprocess.PIPE)
             for count in groups for _ in range(count)]
    reports = []
    for proc in procs:
        out, _ = proc.communicate(timeout=600)
        reports.append(json.loads(out))
    for report in reports:
        if "authenticate_error" in report or report["errors"]:
            raise SystemExit(f"bench: a worker failed: {report}")
    span = max(r["finished"] for r in reports) - min(r["started"] for r in reports)
    return reports, span


def budget_row(worker: Path, make_sandbox: Callable[..., Any], label: str, groups: List[int],
               requests: int, shared_state: Optional[str]) -> Dict[str, Any]:
    sandbox = make_sandbox("--rate-limit", str(LIMIT), "--rate-window-ms", str(WINDOW_MS),
                           "--seed-contacts", "20")
    try:
        options = {"rate_limit_per_minute": str(LIMIT), "rate_limit_window_ms": str(WINDOW_MS)}
        if shared_state:
            options["shared_state"] = shared_state
        reports, span = run_workers(worker, sandbox, groups, requests, options)
        stats = sandbox.stats()
    finally:
        sandbox.stop()
    total = sum(groups) * requests
    allowed = LIMIT / (WINDOW_MS / 1000)
    # The first window's worth may go at once; after it no faster than the limit, so the
    # steady rate is (total - limit) / span (exact when total is a multiple of the limit).
    achieved = (total - LIMIT) / span
    non_200 = sum(1 for r in reports for s in r["statuses"] if s != 200)
    return {"setup": label, "processes": sum(groups), "requests": total,
            "server_429s": stats["responses"].get("429", 0),
            "token_requests": stats.get("token_requests", 0), "non_200": non_200,
            "seconds": round(span, 2), "achieved_per_s": round(achieved, 2),
            "allowed_per_s": allowed, "share_of_allowed": round(achieved / allowed, 3),
            "fallback_warnings": sum(len(r["warnings"]) for r in reports)}


def cost_per_request(worker: Path, make_sandbox: Callable[..., Any], redis_url: str,
                     requests: int, rounds: int) -> Dict[str, Any]:
    """Microseconds a request takes with each kind of window, one process, never waiting:
    100 per 10 ms keeps the window as full as Dinero's 100 a minute does, without pacing."""
    sandbox = make_sandbox("--rate-limit", "0", "--seed-contacts", "20")
    state_dir = Path(tempfile.mkdtemp(prefix="dinero-bench-state."))
    kinds = {"per-process window": None, "file": str(state_dir / "dinero.state"),
             "Redis": redis_url}
    times: Dict[str, List[float]] = {k: [] for k in kinds}
    try:
        for _ in range(rounds):
            for kind, shared in kinds.items():
                options = {"rate_limit_per_minute": "100", "rate_limit_window_ms": "10"}
                if shared:
                    options["shared_state"] = shared
                reports, span = run_workers(worker, sandbox, [1], requests, options)
                if reports[0]["warnings"]:
                    raise SystemExit(f"bench: {kind} fell back: {reports[0]['warnings']}")
                times[kind].append(span / requests * 1e6)
    finally:
        sandbox.stop()
        shutil.rmtree(state_dir, ignore_errors=True)
    base = statistics.median(times["per-process window"])
    return {"requests": requests, "rounds": rounds,
            "us_per_request": {k: round(statistics.median(v), 1) for k, v in times.items()},
            "added_us": {k: round(statistics.median(v) - base, 1)
                         for k, v in times.items() if k != "per-process window"}}


def shared_budget_figure(worker: Path, make_sandbox: Callable[..., Any], quick: bool,
                         log: Callable[[str], None]) -> Dict[str, Any]:
    requests = 10 if quick else 20
    redis = RedisServer()
    state_dir = Path(tempfile.mkdtemp(prefix="dinero-bench-state."))
    rows = []
    try:
        for processes in (1, 4, 16):
            per = max(requests, 80 // processes) if processes == 1 else requests
            log(f"shared_budget: {processes} processes on one file, {per} requests each")
            path = state_dir / f"p{processes}.state"
            rows.append(budget_row(worker, make_sandbox, f"{processes} processes, one file",
                                   [processes], per, str(path)))
        log("shared_budget: 2 machines x 4 processes on one Redis")
        rows.append(budget_row(worker, make_sandbox, "2 machines x 4 processes, one Redis",
                               [4, 4], requests, redis.url))
        log("shared_budget: 4 processes, nothing shared (the way it was)")
        rows.append(budget_row(worker, make_sandbox, "4 processes, nothing shared",
                               [4], requests, None))
        log("shared_budget: what sharing costs per request")
        cost = cost_per_request(worker, make_sandbox, redis.url, 300 if quick else 1500,
                                3 if quick else 5)
    finally:
        redis.stop()
        shutil.rmtree(redis.dir, ignore_errors=True)
        shutil.rmtree(state_dir, ignore_errors=True)
    return {"limit": LIMIT, "window_ms": WINDOW_MS, "rows": rows, "cost": cost}


def markdown(figure: Dict[str, Any]) -> str:
    lines = [f"shared budget (limit {figure['limit']} per {figure['window_ms']} ms):",
             "| setup | requests | 429s | token requests | rate / allowed |",
             "|---|---:|---:|---:|---:|"]
    for r in figure["rows"]:
        lines.append(f"| {r['setup']} | {r['requests']} | {r['server_429s']} "
                     f"| {r['token_requests']} | {r['share_of_allowed']:.0%} |")
    c = figure["cost"]
    per = ", ".join(f"{k} {v} us" for k, v in c["us_per_request"].items())
    added = ", ".join(f"{k} +{v} us" for k, v in c["added_us"].items())
    lines.append(f"- per request ({c['requests']} requests, median of {c['rounds']}): {per}; "
                 f"sharing adds: {added}")
    return "\n".join(lines)
