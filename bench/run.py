#!/usr/bin/env python3
"""libdinero's benchmark driver (`make bench` -> scripts/bench.sh -> here).

Starts release dinero-sandbox processes on loopback, builds the C clients in bench/c/, and runs
each comparison alternating ours and the peer (A B A B ...) for several rounds on the same
endpoint, payload and Bearer token semantics, reporting medians. Then the figures of our own:
token fetches under expiring tokens, 429s under a rate limit, RSS growth, instructions per
request (callgrind). Writes target/bench/results.json and target/bench/comparisons.png and
prints a markdown table. A benchmark, not a test: it fails only when a client fails, never on
speed.

Python 3 standard library only, plus matplotlib for the chart (skipped with a note when it is
missing). Environment: BENCH_QUICK=1 (a short run), BENCH_ONLY=a,b (only these sections:
comparison ids, cold-start, token, rate_limit, shared_budget, memory, instructions), DINERO_LIBRARY.
"""

from __future__ import annotations

import json
import math
import os
import platform
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional

import shared_budget

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
OUT = ROOT / "target" / "bench"
BIN = OUT / "bin"
RELEASE = ROOT / "target" / "release"
SANDBOX_BIN = RELEASE / "dinero-sandbox"
LIBRARY = Path(os.environ.get("DINERO_LIBRARY") or RELEASE / "libdinero.so")
PYTHON = sys.executable
PHP = shutil.which("php") or "php"
NODE = shutil.which("node") or "node"

QUICK = os.environ.get("BENCH_QUICK", "") not in ("", "0")
ONLY = {s.strip() for s in os.environ.get("BENCH_ONLY", "").split(",") if s.strip()}

# The endpoint every client asks for: a page of 10 contacts (about 1.7 kB of JSON).
PATH = "/v1/{organizationId}/contacts?page=0&pageSize=10"

if QUICK:
    SETTINGS = dict(rounds=3, n_c=1500, n_lang=500, n_per_call=300, cold_rounds=5,
                    token_threads=8, token_requests=100, token_sleep_ms=45,
                    burst_requests=60, memory_requests=5000, callgrind=(100, 400))
else:
    SETTINGS = dict(rounds=5, n_c=8000, n_lang=3000, n_per_call=1500, cold_rounds=15,
                    token_threads=8, token_requests=250, token_sleep_ms=36,
                    burst_requests=120, memory_requests=100_000, callgrind=(200, 1200))
RATE_LIMIT, RATE_WINDOW_MS = 20, 2000
TOKEN_LIFETIME_MS = 2000


def log(message: str) -> None:
    print(f"bench: {message}", file=sys.stderr, flush=True)


def wanted(section: str) -> bool:
    return not ONLY or section in ONLY


# -- the sandbox ------------------------------------------------------------------------------


class Sandbox:
    """One dinero-sandbox process on 127.0.0.1 with its own flags; stopped by stop()."""

    def __init__(self, *flags: str) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="dinero-bench."))
        env_file = self.dir / "sandbox.env"
        self.proc = subprocess.Popen(
            [str(SANDBOX_BIN), "--port", "0", "--env-file", str(env_file), *flags],
            stdin=subprocess.DEVNULL,
            stdout=open(self.dir / "sandbox.out", "wb"),
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 10
        while not env_file.exists():
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise SystemExit("bench: dinero-sandbox did not start: "
                                 + (self.dir / "sandbox.out").read_text(errors="replace"))
            time.sleep(0.05)
        self.env: Dict[str, str] = {}
        for line in env_file.read_text().splitlines():
            if "=" in line and not line.startswith("#"):
                name, value = line.split("=", 1)
                self.env[name.strip()] = value.strip().strip("'\"")
        self.url = self.env["DINERO_API_URL"].rstrip("/")

    def admin(self, method: str, path: str, body: Optional[dict] = None) -> Any:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.url + "/_sandbox" + path, data=data, method=method,
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=10) as answer:
            return json.load(answer)

    def stats(self) -> Dict[str, Any]:
        return self.admin("GET", "/stats")  # type: ignore[no-any-return]

    def reset_stats(self) -> None:
        self.admin("POST", "/reset-stats", {})

    def client_env(self) -> Dict[str, str]:
        env = dict(os.environ)
        env.update(self.env)
        org = self.env["DINERO_ORGANIZATION_ID"]
        env["BENCH_PATH"] = PATH
        env["BENCH_URL"] = self.url + PATH.replace("{organizationId}", org)
        env["DINERO_LIBRARY"] = str(LIBRARY)
        return env

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        shutil.rmtree(self.dir, ignore_errors=True)


# -- building the C clients ------------------------------------------------------------------


def build_c() -> None:
    BIN.mkdir(parents=True, exist_ok=True)
    cc = os.environ.get("CC", "cc")
    base = [cc, "-std=c11", "-O2", "-g", "-Wall", "-Wextra", "-Werror"]
    programs = {
        "ours_get": ["-I", str(ROOT / "include"), "-L", str(LIBRARY.parent), "-ldinero",
                     f"-Wl,-rpath,{LIBRARY.parent}", "-pthread"],
        "libcurl_get": ["-lcurl"],
        "keepalive_limit": [],
    }
    for name, flags in programs.items():
        source = BENCH / "c" / f"{name}.c"
        subprocess.run(base + [str(source), "-o", str(BIN / name)] + flags, check=True,
                       stdin=subprocess.DEVNULL)


# -- running clients --------------------------------------------------------------------------


def run_json(cmd: List[str], env: Dict[str, str], timeout: float = 900) -> Dict[str, Any]:
    """Runs a client to completion; its last stdout line is a JSON object."""
    done = subprocess.run(cmd, env=env, stdin=subprocess.DEVNULL, capture_output=True,
                          timeout=timeout, cwd=ROOT)
    if done.returncode != 0:
        raise SystemExit(f"bench: {' '.join(map(str, cmd))} failed ({done.returncode}): "
                         + done.stderr.decode(errors="replace")[-2000:])
    return json.loads(done.stdout.decode().strip().splitlines()[-1])  # type: ignore[no-any-return]


def time_to_first_answer(cmd: List[str], env: Dict[str, str]) -> float:
    """Milliseconds from starting the process to its "ok" line (authenticate + one GET)."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, cwd=ROOT)
    assert proc.stdout is not None
    line = proc.stdout.readline()
    elapsed = (time.perf_counter() - t0) * 1000
    _, err = proc.communicate(timeout=60)
    if line.strip() != b"ok" or proc.returncode != 0:
        raise SystemExit(f"bench: {' '.join(map(str, cmd))} failed ({proc.returncode}): "
                         + err.decode(errors="replace")[-2000:])
    return elapsed


def clients() -> Dict[str, Dict[str, List[str]]]:
    """Per language: the command of each client (the mode and count are appended)."""
    py, php, node = BENCH / "py", BENCH / "php", BENCH / "node"
    return {
        "c": {"ours": [str(BIN / "ours_get")], "libcurl": [str(BIN / "libcurl_get")],
              "keepalive_limit": [str(BIN / "keepalive_limit")]},
        "python": {"ours": [PYTHON, str(py / "ours.py")],
                   "requests_session": [PYTHON, str(py / "requests_session.py")],
                   "urllib_per_call": [PYTHON, str(py / "urllib_per_call.py")]},
        "php": {"ours": [PHP, str(php / "ours.php")], "curl_ext": [PHP, str(php / "curl_ext.php")],
                "file_get_contents": [PHP, str(php / "file_get_contents.php")]},
        "node": {"ours": [NODE, str(node / "ours.mjs")], "fetch": [NODE, str(node / "fetch.mjs")]},
    }


# (id, language, peer client, requests per run[, mode: "loop" one at a time by default,
# "parallel" 8 in flight])
COMPARISONS = [
    ("c-get-vs-libcurl", "c", "libcurl", "n_c"),
    ("c-get-vs-keepalive-limit", "c", "keepalive_limit", "n_c"),
    ("python-get-vs-requests-session", "python", "requests_session", "n_lang"),
    ("python-get-vs-urllib-per-call", "python", "urllib_per_call", "n_per_call"),
    ("php-get-vs-curl-ext", "php", "curl_ext", "n_lang"),
    ("php-get-vs-file-get-contents", "php", "file_get_contents", "n_per_call"),
    ("node-get-vs-fetch", "node", "fetch", "n_lang"),
    ("node-8-in-flight-vs-fetch", "node", "fetch", "n_lang", "parallel"),
]
# Cold start: ours against the first peer of each language.
COLD = [("cold-start-c", "c", "libcurl"), ("cold-start-python", "python", "requests_session"),
        ("cold-start-php", "php", "curl_ext")]


def alternate(rounds: int, ours: Callable[[], float], peer: Callable[[], float]) -> Dict[str, Any]:
    """A B A B ...: one run of each per round; the medians, lower is better (times)."""
    a: List[float] = []
    b: List[float] = []
    for _ in range(rounds):
        a.append(ours())
        b.append(peer())
    mo, mp = statistics.median(a), statistics.median(b)
    return {"ours": round(mo, 3), "peer": round(mp, 3), "ratio": round(mp / mo, 3),
            "ours_runs": [round(x, 3) for x in a], "peer_runs": [round(x, 3) for x in b]}


def comparisons(sandbox: Sandbox) -> List[Dict[str, Any]]:
    env = sandbox.client_env()
    table = clients()
    results = []
    for cid, lang, peer, count, *how in COMPARISONS:
        if not wanted(cid):
            continue
        n = SETTINGS[count]
        mode = how[0] if how else "loop"
        log(f"{cid}: {SETTINGS['rounds']} rounds x {n} requests each")
        ours_cmd = table[lang]["ours"] + [mode, str(n)]
        peer_cmd = table[lang][peer] + [mode, str(n)]
        row = alternate(SETTINGS["rounds"],
                        lambda: float(run_json(ours_cmd, env)["us_per_req"]),
                        lambda: float(run_json(peer_cmd, env)["us_per_req"]))
        results.append({"id": cid, **row, "unit": "us/request", "peer_client": peer,
                        "requests_per_run": n})
    for cid, lang, peer in COLD:
        if not (wanted(cid) or wanted("cold-start")):
            continue
        log(f"{cid}: {SETTINGS['cold_rounds']} rounds")
        ours_cmd = table[lang]["ours"] + ["cold"]
        peer_cmd = table[lang][peer] + ["cold"]
        time_to_first_answer(ours_cmd, env)  # warm the page cache once
        time_to_first_answer(peer_cmd, env)
        row = alternate(SETTINGS["cold_rounds"], lambda: time_to_first_answer(ours_cmd, env),
                        lambda: time_to_first_answer(peer_cmd, env))
        results.append({"id": cid, **row, "unit": "ms", "peer_client": peer})
    return results


# -- figures of our own -----------------------------------------------------------------------


def token_figure() -> Dict[str, Any]:
    threads, per_thread, sleep_ms = (SETTINGS["token_threads"], SETTINGS["token_requests"],
                                     SETTINGS["token_sleep_ms"])
    log(f"token: {threads} threads x {per_thread} requests, tokens live {TOKEN_LIFETIME_MS} ms")
    sandbox = Sandbox("--rate-limit", "0", "--token-lifetime-ms", str(TOKEN_LIFETIME_MS),
                      "--seed-contacts", "20")
    try:
        sandbox.reset_stats()
        run = run_json([str(BIN / "ours_get"), "threads", str(threads), str(per_thread),
                        str(sleep_ms)], sandbox.client_env())
        stats = sandbox.stats()
    finally:
        sandbox.stop()
    elapsed = float(run["elapsed_s"])
    # Each token serves at most its lifetime, so a run of `elapsed` seconds needs at least
    # ceil(elapsed / lifetime) of them, the first one included.
    lower_bound = max(1, math.ceil(elapsed * 1000 / TOKEN_LIFETIME_MS))
    return {"fetches": stats["token_requests"], "lower_bound": lower_bound,
            "server_401s": stats["responses"].get("401", 0), "threads": threads,
            "requests": threads * per_thread, "elapsed_s": round(elapsed, 3),
            "token_lifetime_s": TOKEN_LIFETIME_MS / 1000, "client_failures": run["failures"],
            "non_200": run["non200"]}


def rate_limit_figure() -> Dict[str, Any]:
    total = SETTINGS["burst_requests"]
    log(f"rate_limit: a burst of {total} requests on 4 threads, limit {RATE_LIMIT} per "
        f"{RATE_WINDOW_MS} ms")
    sandbox = Sandbox("--rate-limit", str(RATE_LIMIT), "--rate-window-ms", str(RATE_WINDOW_MS),
                      "--seed-contacts", "20")
    try:
        env = sandbox.client_env()
        env["BENCH_RATE_LIMIT"] = str(RATE_LIMIT)
        env["BENCH_RATE_WINDOW_MS"] = str(RATE_WINDOW_MS)
        sandbox.reset_stats()
        run = run_json([str(BIN / "ours_get"), "burst", "4", str(total)], env)
        stats = sandbox.stats()
    finally:
        sandbox.stop()
    elapsed = float(run["elapsed_s"])
    window_s = RATE_WINDOW_MS / 1000
    # The first window's worth goes out at once; the rest can come no faster than the limit,
    # so the steady rate is (total - limit) / elapsed, against limit / window allowed (exact
    # for a total that is a multiple of the limit, as here).
    return {"server_429s": stats["responses"].get("429", 0),
            "achieved_per_s": round((total - RATE_LIMIT) / elapsed, 3),
            "allowed_per_s": RATE_LIMIT / window_s, "requests": total,
            "elapsed_s": round(elapsed, 3),
            "fastest_legal_s": (math.ceil(total / RATE_LIMIT) - 1) * window_s,
            "limit": RATE_LIMIT, "window_s": window_s, "client_failures": run["failures"],
            "non_200": run["non200"]}


def memory_figure(sandbox: Sandbox) -> Dict[str, Any]:
    n = SETTINGS["memory_requests"]
    env = sandbox.client_env()
    table = clients()
    result: Dict[str, Any] = {"requests": n}
    for lang in ("c", "python", "php"):
        log(f"memory: {lang}, {n} requests")
        run = run_json(table[lang]["ours"] + ["memory", str(n)], env, timeout=1800)
        result[f"{lang}_kb"] = int(run["peak_kb"]) - int(run["rss_after_warmup_kb"])
        result[f"{lang}_rss_after_warmup_kb"] = int(run["rss_after_warmup_kb"])
        result[f"{lang}_peak_kb"] = int(run["peak_kb"])
    return result


def callgrind_total(out_file: Path) -> int:
    text = out_file.read_text(errors="replace")
    match = re.search(r"^(?:summary|totals):\s+(\d+)", text, re.M)
    if not match:
        raise SystemExit(f"bench: no instruction total in {out_file}")
    return int(match.group(1))


def instructions_figure(sandbox: Sandbox) -> Dict[str, Any]:
    """Instructions per request under callgrind: two runs of N1 and N2 requests, so start-up,
    authentication and warm-up cancel out: (Ir(N2) - Ir(N1)) / (N2 - N1). User space only."""
    if shutil.which("valgrind") is None:
        log("instructions: valgrind is missing, skipped")
        return {}
    n1, n2 = SETTINGS["callgrind"]
    env = sandbox.client_env()
    result: Dict[str, Any] = {"requests": n2 - n1}
    for stale in OUT.glob("callgrind.*"):
        stale.unlink()
    # PHP too: what the binding adds to a request, against php-curl, in a count the machine's
    # load does not move (the interpreter's own start-up cancels out like the rest).
    programs = {**{name: clients()["c"][name] for name in ("ours", "libcurl", "keepalive_limit")},
                "php_ours": clients()["php"]["ours"], "php_curl_ext": clients()["php"]["curl_ext"]}
    for name, command in programs.items():
        log(f"instructions: {name} under callgrind ({n1} and {n2} requests)")
        totals = []
        for n in (n1, n2):
            out_file = OUT / f"callgrind.{name}.{n}.out"
            run_json(["valgrind", "--tool=callgrind", "--quiet", f"--callgrind-out-file={out_file}",
                      *command, "loop", str(n)], env, timeout=1800)
            totals.append(callgrind_total(out_file))
        result[name] = round((totals[1] - totals[0]) / (n2 - n1))
        profile = OUT / f"callgrind.{name}.{n2}.out"
        if shutil.which("callgrind_annotate"):
            annotated = subprocess.run(["callgrind_annotate", "--inclusive=yes", str(profile)],
                                       capture_output=True, stdin=subprocess.DEVNULL)
            (OUT / f"callgrind.{name}.txt").write_bytes(annotated.stdout)
        (OUT / f"callgrind.{name}.{n1}.out").unlink(missing_ok=True)
    return result


# -- output -----------------------------------------------------------------------------------


def chart(rows: List[Dict[str, Any]], path: Path) -> Optional[str]:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        log("matplotlib is missing: no chart")
        return None
    ids = [r["id"] for r in rows]
    ratios = [r["ratio"] for r in rows]
    fig, ax = plt.subplots(figsize=(9, 0.55 * len(rows) + 1.6))
    colors = ["#2e7d32" if x >= 1 else "#c62828" for x in ratios]
    bars = ax.barh(ids, ratios, color=colors)
    ax.axvline(1.0, color="black", linewidth=1)
    ax.set_xscale("log")
    ax.invert_yaxis()
    for bar, row in zip(bars, rows):
        ax.text(bar.get_width(), bar.get_y() + bar.get_height() / 2,
                f" {row['ratio']:.2f}x  ({row['ours']:.1f} vs {row['peer']:.1f} {row['unit']})",
                va="center", fontsize=8)
    ax.set_xlabel("peer time / our time (log scale; > 1: libdinero is faster)")
    ax.set_title("libdinero vs peers, medians" + (" (BENCH_QUICK)" if QUICK else ""))
    ax.set_xlim(min(ratios + [1.0]) / 2, max(ratios + [1.0]) * 6)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return str(path.relative_to(ROOT))


def markdown(results: Dict[str, Any]) -> str:
    lines = ["| id | ours | peer | unit | ratio (> 1: ours ahead) |", "|---|---:|---:|---|---:|"]
    for r in results["comparisons"]:
        lines.append(f"| `{r['id']}` | {r['ours']:.1f} | {r['peer']:.1f} | {r['unit']} "
                     f"| {r['ratio']:.2f} |")
    out = ["\n".join(lines)]
    t = results.get("token")
    if t:
        out.append(f"- token: {t['fetches']} token fetches for {t['requests']} requests on "
                   f"{t['threads']} threads over {t['elapsed_s']} s with {t['token_lifetime_s']:g} s "
                   f"tokens (lower bound {t['lower_bound']}, goal <= {t['lower_bound'] + 1}); "
                   f"401s from the sandbox: {t['server_401s']} (goal 0)")
    r = results.get("rate_limit")
    if r:
        out.append(f"- rate_limit: {r['server_429s']} 429s from the sandbox (goal 0); "
                   f"{r['requests']} requests in {r['elapsed_s']} s (fastest legal "
                   f"{r['fastest_legal_s']:g} s): {r['achieved_per_s']:.2f}/s after the first "
                   f"window vs {r['allowed_per_s']:g}/s allowed")
    m = results.get("memory")
    if m:
        out.append(f"- memory: peak RSS growth over {m['requests']} requests after warm-up: "
                   f"C {m['c_kb']} kB, Python {m['python_kb']} kB, PHP {m['php_kb']} kB")
    s = results.get("shared_budget")
    if s:
        out.append(shared_budget.markdown(s))
    i = results.get("instructions")
    if i:
        out.append(f"- instructions per request (callgrind, user space, {i['requests']} requests): "
                   f"ours {i['ours']}, libcurl {i['libcurl']}, keep-alive limit "
                   f"{i['keepalive_limit']}; PHP: ours {i['php_ours']}, php-curl "
                   f"{i['php_curl_ext']} (ratio {i['php_curl_ext'] / i['php_ours']:.2f})")
    return "\n".join(out)


def main() -> None:
    for needed in (SANDBOX_BIN, LIBRARY):
        if not needed.exists():
            raise SystemExit(f"bench: {needed} is missing (cargo build --release --workspace)")
    OUT.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    log("building the C clients (bench/c/)")
    build_c()
    results: Dict[str, Any] = {
        "meta": {"quick": QUICK, "settings": SETTINGS, "path": PATH,
                 "date": time.strftime("%Y-%m-%d %H:%M:%S %Z"), "machine": platform.machine(),
                 "cpus": os.cpu_count(), "python": platform.python_version(),
                 "sandbox": "dinero-sandbox --rate-limit 0 --seed-contacts 20, 1 h tokens; "
                            "clients: rate_limit_per_minute=0"},
        "comparisons": [],
    }
    sandbox = Sandbox("--rate-limit", "0", "--seed-contacts", "20")
    try:
        results["comparisons"] = comparisons(sandbox)
        if wanted("token"):
            results["token"] = token_figure()
        if wanted("rate_limit"):
            results["rate_limit"] = rate_limit_figure()
        if wanted("shared_budget"):
            results["shared_budget"] = shared_budget.shared_budget_figure(
                RELEASE / "shared_state_worker", Sandbox, QUICK, log)
        if wanted("memory"):
            results["memory"] = memory_figure(sandbox)
        if wanted("instructions"):
            results["instructions"] = instructions_figure(sandbox)
    finally:
        sandbox.stop()
    results["meta"]["seconds"] = round(time.monotonic() - started, 1)
    if results["comparisons"]:
        results["chart"] = chart(results["comparisons"], OUT / "comparisons.png")
    (OUT / "results.json").write_text(json.dumps(results, indent=2) + "\n")
    print(markdown(results))
    log(f"wrote {(OUT / 'results.json').relative_to(ROOT)}"
        + (f" and {results['chart']}" if results.get("chart") else "")
        + f" in {results['meta']['seconds']} s")


if __name__ == "__main__":
    main()
