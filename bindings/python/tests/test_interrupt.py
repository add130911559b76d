"""Ctrl-C during a long wait: a request waiting for a slot in the rate window (or for a 429's
Retry-After) raises KeyboardInterrupt soon after the key press, instead of when the wait ends,
and sends nothing more. Each case runs in a child interpreter, which gets a real SIGINT."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import textwrap
import time

from conftest import Sandbox
from libdinero import _constants

CHILD = textwrap.dedent(
    """
    import json, signal, sys, time, libdinero
    # Python's own SIGINT handler, whatever the test runner's shell left (a background job's
    # SIGINT is ignored, and Python then installs none).
    signal.signal(signal.SIGINT, signal.default_int_handler)
    given = json.loads(sys.stdin.readline())  # not in argv, where a failure would print it
    if given["handler"] == "its own":
        signal.signal(signal.SIGINT, lambda *_: print("its own handler ran", flush=True))
    client = libdinero.authenticate(*given["credentials"], **given["options"])
    if given["first"] == "spend the window":
        client.get("/v1/organizations")
    print("waiting", flush=True)
    started = time.monotonic()
    try:
        client.get("/v1/organizations")
        print("not interrupted", flush=True)
    except KeyboardInterrupt:
        print("interrupted after %.1f s" % (time.monotonic() - started), flush=True)
        client.close()
    except libdinero.DineroError as error:
        print("given up with status %d" % error.status, flush=True)
    """
)


def interrupt_the_wait(
    sandbox: Sandbox, first: str, handler: str = "Python's", **options: object
) -> str:
    """Runs CHILD, presses Ctrl-C once its request waits, and returns what it said. A wait of
    30 s that is not given up fails the test by its deadline, 15 s."""
    given = {"credentials": [sandbox.client_id, sandbox.client_secret, sandbox.api_key],
             "options": sandbox.options(**options), "first": first, "handler": handler}
    child = subprocess.Popen([sys.executable, "-c", CHILD], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        assert child.stdin is not None and child.stdout is not None
        child.stdin.write(json.dumps(given) + "\n")
        child.stdin.close()
        line = child.stdout.readline()
        assert line == "waiting\n", line + child.stdout.read()
        time.sleep(0.5)  # into the wait
        child.send_signal(signal.SIGINT)
        child.wait(timeout=15)
        rest = child.stdout.read()
    finally:
        child.kill()
        child.wait()
    assert child.returncode == 0, rest
    return rest


def test_ctrl_c_ends_a_wait_for_a_slot_in_the_rate_window(sandbox: Sandbox) -> None:
    said = interrupt_the_wait(
        sandbox, "spend the window", rate_limit_per_minute=1, rate_limit_window_ms=30_000
    )
    assert said.startswith("interrupted after"), said
    assert sandbox.route_count("GET /v1/organizations") == 1, "the second request was not sent"


def test_ctrl_c_ends_the_wait_for_a_429s_retry_after(sandbox: Sandbox) -> None:
    sandbox.fault(kind="status", status=429, retry_after="30")
    said = interrupt_the_wait(sandbox, "send at once")
    assert said.startswith("interrupted after"), said
    assert sandbox.route_count("GET /v1/organizations") == 1, "the 429 was not asked again"


def test_a_handler_of_its_own_runs_and_the_call_says_it_gave_up(sandbox: Sandbox) -> None:
    said = interrupt_the_wait(
        sandbox, "spend the window", "its own", rate_limit_per_minute=1, rate_limit_window_ms=30_000
    )
    assert said.splitlines() == [
        "its own handler ran", f"given up with status {_constants.STATUS_INTERRUPTED}"
    ], said
