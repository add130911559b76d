"""The benchmark's Python client on libdinero (the ctypes binding): authenticate once, then
Client.request("GET", ...) and the body, as an application reads it. Pacing is off
(rate_limit_per_minute=0) so that only the client's own cost is measured."""

from __future__ import annotations

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import libdinero  # noqa: E402

from common import env, main  # noqa: E402

client = libdinero.authenticate(
    env("DINERO_CLIENT_ID"),
    env("DINERO_CLIENT_SECRET"),
    env("DINERO_API_KEY"),
    organization_id=env("DINERO_ORGANIZATION_ID"),
    auth_url=env("DINERO_AUTH_URL"),
    api_url=env("DINERO_API_URL"),
    rate_limit_per_minute=0,
)
path = env("BENCH_PATH")


def get_once() -> int:
    with client.request("GET", path) as response:
        if not response.body:
            return 0
        return response.status


main(get_once, sys.argv)
client.close()
