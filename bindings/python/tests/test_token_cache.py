"""The token_cache option: clients and processes sharing one cache file share one token."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import libdinero
from conftest import Sandbox

CHILD = """
import os, sys, libdinero
env = os.environ
with libdinero.authenticate(env["DINERO_CLIENT_ID"], env["DINERO_CLIENT_SECRET"],
                            env["DINERO_API_KEY"], auth_url=env["DINERO_AUTH_URL"],
                            api_url=env["DINERO_API_URL"], rate_limit_per_minute=0,
                            token_cache=sys.argv[1]) as client:
    assert client.get("/v1/organizations")
"""


def test_two_clients_share_one_token(sandbox: Sandbox, tmp_path: Path) -> None:
    cache = tmp_path / "token.cache"
    with sandbox.connect(token_cache=cache) as first, sandbox.connect(token_cache=str(cache)) as second:
        assert first.get("/v1/organizations") and second.get("/v1/organizations")
        same = first.access_token() == second.access_token()
    assert same, "the two clients hold different tokens"
    assert sandbox.stats()["token_requests"] == 1


def test_two_processes_share_one_token(sandbox: Sandbox, tmp_path: Path) -> None:
    cache = tmp_path / "token.cache"
    env = {**os.environ, **sandbox.settings}
    package = Path(libdinero.__file__).resolve().parent.parent
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(package), env.get("PYTHONPATH")]))
    for _ in range(2):
        subprocess.run([sys.executable, "-c", CHILD, str(cache)], env=env, check=True, timeout=60)
    assert sandbox.stats()["token_requests"] == 1
    assert sandbox.stats()["api_requests"] == 2
