"""Fixtures: a real dinero-sandbox process per test module (or per test, with special flags).

The sandbox binary comes from DINERO_SANDBOX (default: the repository's target/debug, else
target/release). It is started with `--port 0 --env-file <tmp>/sandbox.env`; the fixture waits for
the env file, reads the DINERO_* settings from it, and kills the process at teardown. Its admin
API (`/_sandbox/...`) is reached with urllib.
"""

from __future__ import annotations

import json
import os
import subprocess
import time
import urllib.request
import uuid
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List, Optional

import pytest

import libdinero

REPO = Path(__file__).resolve().parents[3]


def sandbox_binary() -> str:
    configured = os.environ.get("DINERO_SANDBOX")
    if configured:
        return configured
    for profile in ("debug", "release"):
        path = REPO / "target" / profile / "dinero-sandbox"
        if path.is_file():
            return str(path)
    pytest.fail("no dinero-sandbox: build it or set DINERO_SANDBOX")


class Sandbox:
    """One running dinero-sandbox and its settings."""

    def __init__(self, process: "subprocess.Popen[bytes]", settings: Dict[str, str]) -> None:
        self.process = process
        self.settings = settings
        self.api_url = settings["DINERO_API_URL"]
        self.auth_url = settings["DINERO_AUTH_URL"]
        self.client_id = settings["DINERO_CLIENT_ID"]
        self.client_secret = settings["DINERO_CLIENT_SECRET"]
        self.api_key = settings["DINERO_API_KEY"]
        self.organization_id = settings["DINERO_ORGANIZATION_ID"]

    # -- the library, pointed at this sandbox ---------------------------------------------

    def options(self, **overrides: Any) -> Dict[str, Any]:
        options: Dict[str, Any] = {
            "auth_url": self.auth_url,
            "api_url": self.api_url,
            "organization_id": self.organization_id,
            "rate_limit_per_minute": 0,
            "retry_base_delay_ms": 10,
            "retry_max_delay_ms": 50,
        }
        options.update(overrides)
        return options

    def connect(self, **overrides: Any) -> libdinero.Client:
        return libdinero.authenticate(
            self.client_id, self.client_secret, self.api_key, **self.options(**overrides)
        )

    # -- the admin API --------------------------------------------------------------------

    def admin(self, method: str, path: str, body: Any = None) -> Any:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(
            self.api_url + "/_sandbox" + path,
            data=data,
            method=method,
            headers={"Content-Type": "application/json"} if data is not None else {},
        )
        with urllib.request.urlopen(request, timeout=10) as answer:
            return json.loads(answer.read() or b"null")

    def stats(self) -> Dict[str, Any]:
        result: Dict[str, Any] = self.admin("GET", "/stats")
        return result

    def requests(self) -> List[Dict[str, Any]]:
        result: List[Dict[str, Any]] = self.admin("GET", "/requests")
        return result

    def fault(self, **fault: Any) -> None:
        self.admin("POST", "/faults", fault)

    def reset(self) -> None:
        self.admin("DELETE", "/faults")
        self.admin("POST", "/reset-stats")

    def route_count(self, route: str) -> int:
        return int(self.stats()["routes"].get(route, 0))

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(timeout=10)


def start_sandbox(workdir: Path, *flags: str) -> Sandbox:
    workdir.mkdir(parents=True, exist_ok=True)
    env_file = workdir / "sandbox.env"
    if env_file.exists():
        env_file.unlink()
    log = open(workdir / "sandbox.out", "wb")
    # Distinctive credentials, so a leak check cannot be fooled by the default secret "dinero"
    # appearing in the word "libdinero".
    secrets = ["--client-secret", "sec-" + uuid.uuid4().hex, "--api-key", "key-" + uuid.uuid4().hex]
    process = subprocess.Popen(
        [sandbox_binary(), "--port", "0", "--env-file", str(env_file), *secrets, *flags],
        stdout=log,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
    )
    log.close()
    deadline = time.monotonic() + 15
    while not env_file.exists():
        if process.poll() is not None:
            output = (workdir / "sandbox.out").read_text(errors="replace")
            pytest.fail(f"dinero-sandbox exited with {process.returncode}: {output}")
        if time.monotonic() > deadline:
            process.kill()
            pytest.fail("dinero-sandbox did not write its env file within 15 s")
        time.sleep(0.02)
    settings: Dict[str, str] = {}
    for line in env_file.read_text().splitlines():
        if "=" in line:
            key, value = line.split("=", 1)
            settings[key.strip()] = value.strip()
    return Sandbox(process, settings)


@pytest.fixture(scope="module")
def module_sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sandbox]:
    sandbox = start_sandbox(tmp_path_factory.mktemp("sandbox"), "--rate-limit", "0")
    try:
        yield sandbox
    finally:
        sandbox.stop()


@pytest.fixture
def sandbox(module_sandbox: Sandbox) -> Sandbox:
    """The module's sandbox with no pending faults and zeroed counters."""
    module_sandbox.reset()
    return module_sandbox


@pytest.fixture
def client(sandbox: Sandbox) -> Iterator[libdinero.Client]:
    with sandbox.connect() as connected:
        sandbox.admin("POST", "/reset-stats")
        yield connected


@pytest.fixture
def sandbox_with(tmp_path: Path) -> Iterator[Callable[..., Sandbox]]:
    """Starts a sandbox of its own with extra flags: `sandbox_with("--token-lifetime-ms", "2000")`."""
    started: List[Sandbox] = []

    def start(*flags: str) -> Sandbox:
        sandbox = start_sandbox(tmp_path / f"sandbox{len(started)}", *flags)
        started.append(sandbox)
        return sandbox

    try:
        yield start
    finally:
        for sandbox in started:
            sandbox.stop()


def assert_no_secret(text: str, sandbox: Optional[Sandbox], *secrets: str) -> None:
    """Neither the sandbox's secret and key nor any extra secret appears in `text`."""
    values = list(secrets)
    if sandbox is not None:
        values += [sandbox.client_secret, sandbox.api_key]
    for value in values:
        # pytest.fail rather than assert: assertion rewriting would print the secret.
        if not value or value in text:
            pytest.fail("a secret leaked into a message", pytrace=False)
