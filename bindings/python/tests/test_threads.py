"""One Client shared by threads: parallel requests, one token request per expiry, per-thread
errors."""

from __future__ import annotations

import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Callable, List

import libdinero
from conftest import Sandbox

THREADS = 8


def hammer(client: libdinero.Client, stop: threading.Event, failures: List[str]) -> int:
    done = 0
    while not stop.is_set():
        try:
            with client.request("GET", "/v1/organizations") as response:
                if response.status != 200:
                    failures.append(f"HTTP {response.status}")
        except libdinero.DineroError as error:
            failures.append(f"{type(error).__name__}: {error}")
        done += 1
    return done


def wait_for(condition: Callable[[], bool], what: str, seconds: float = 10.0) -> None:
    """Polls ``condition`` until it holds; fails naming ``what`` after ``seconds``."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"waited {seconds} s for {what}"
        time.sleep(0.01)


def run_threads(client: libdinero.Client, seconds: float, during: Callable[[], None] = lambda: None) -> int:
    stop = threading.Event()
    failures: List[str] = []
    with ThreadPoolExecutor(THREADS) as pool:
        futures = [pool.submit(hammer, client, stop, failures) for _ in range(THREADS)]
        deadline = time.monotonic() + seconds
        during()
        time.sleep(max(0.0, deadline - time.monotonic()))
        stop.set()
        total = sum(f.result() for f in futures)
    assert not failures, failures[:5]
    return total


def test_requests_from_threads_run_in_parallel(client: libdinero.Client, sandbox: Sandbox) -> None:
    sandbox.fault(kind="delay", delay_ms=600, count=4)
    with ThreadPoolExecutor(4) as pool:
        statuses = list(pool.map(lambda _: client.request("GET", "/v1/organizations").status, range(4)))
    assert statuses == [200] * 4
    # Counted by the server, not timed: all four were there at once.
    assert sandbox.stats()["peak_in_flight"] == 4, "the four requests did not run in parallel"


def test_one_token_request_per_expiry(sandbox_with: Callable[..., Sandbox]) -> None:
    sandbox = sandbox_with("--rate-limit", "0", "--token-lifetime-ms", "2000")
    client = sandbox.connect()
    authenticated = time.monotonic()
    try:
        requests = run_threads(client, 4.5)
        elapsed = time.monotonic() - authenticated
    finally:
        client.close()
    stats = sandbox.stats()
    # The library renews a 2 s token 0.2 s early: once every 1.8 s, whatever the thread count.
    expected = 1 + int(elapsed / 1.8)
    assert abs(stats["token_requests"] - expected) <= 1, (stats["token_requests"], expected)
    assert stats["token_requests"] < THREADS
    assert "401" not in stats["responses"], "a token was used after it expired"
    assert requests >= THREADS, "every thread made requests"


def test_a_server_side_expiry_is_refreshed_once_for_all_threads(client: libdinero.Client, sandbox: Sandbox) -> None:
    def expire_three_times() -> None:
        # Each expiry waits for the renewal it causes, so all three are seen by the threads
        # however slowly this machine runs.
        for expiry in range(1, 4):
            time.sleep(0.1)
            sandbox.admin("POST", "/tokens/expire")
            wait_for(lambda: sandbox.stats()["token_requests"] >= expiry, f"renewal {expiry}")

    run_threads(client, 1.0, expire_three_times)
    stats = sandbox.stats()
    assert stats["token_requests"] == 3, stats  # one per expiry, not one per thread
    assert stats["responses"].get("401", 0) >= 3


def test_each_thread_reads_its_own_error(client: libdinero.Client) -> None:
    def fail(method: str, path: str) -> List[str]:
        messages = []
        for _ in range(200):
            try:
                client.request(method, path)
            except libdinero.InvalidArgumentError as error:
                messages.append(str(error))
        return messages

    with ThreadPoolExecutor(2) as pool:
        bad_method = pool.submit(fail, "FETCH", "/v1/organizations")
        bad_path = pool.submit(fail, "GET", "/v1/organizations?q=a b")
        method_messages, path_messages = bad_method.result(), bad_path.result()
    assert len(set(method_messages)) == 1 and len(set(path_messages)) == 1
    assert method_messages[0] != path_messages[0]
    assert "FETCH" in method_messages[0] or "method" in method_messages[0]


def test_close_waits_for_requests_in_flight(client: libdinero.Client, sandbox: Sandbox) -> None:
    sandbox.fault(kind="delay", delay_ms=500)
    with ThreadPoolExecutor(1) as pool:
        pending = pool.submit(client.request, "GET", "/v1/organizations")
        wait_for(lambda: sandbox.stats()["peak_in_flight"] >= 1, "the request to reach the server")
        client.close()  # must not free the client under the running request
        assert pending.result().status == 200
    assert client.closed


def test_close_from_a_callback_inside_a_call_is_refused_rather_than_waiting_for_itself(
    sandbox: Sandbox,
) -> None:
    client = sandbox.connect(log_level="INFO")
    refusals: List[str] = []

    class Closer(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            try:
                client.close()  # runs inside the request, on its thread
            except libdinero.InvalidArgumentError as error:
                refusals.append(str(error))

    logger = logging.getLogger("libdinero")
    handler, level = Closer(), logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        assert client.get("/v1/organizations")
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
    assert refusals and "from inside" in refusals[0]
    assert not client.closed
    client.close()
    assert client.closed
