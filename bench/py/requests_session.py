"""Peer: requests.Session with the token fetched once (Basic credentials, form body), then
GETs with the same Bearer and Accept headers libdinero sends, over the session's pooled
keep-alive connection."""

from __future__ import annotations

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import requests  # noqa: E402

from common import env, main  # noqa: E402

session = requests.Session()
key = env("DINERO_API_KEY")
answer = session.post(
    env("DINERO_AUTH_URL"),
    auth=(env("DINERO_CLIENT_ID"), env("DINERO_CLIENT_SECRET")),
    data={"grant_type": "password", "scope": "read write", "username": key, "password": key},
    timeout=30,
)
answer.raise_for_status()
session.headers["Authorization"] = "Bearer " + answer.json()["access_token"]
session.headers["Accept"] = "application/json"
url = env("BENCH_URL")


def get_once() -> int:
    response = session.get(url, timeout=30)
    return response.status_code if response.content else 0


main(get_once, sys.argv)
