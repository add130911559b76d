"""Peer: urllib.request as naive scripts use it, a new connection for every call (urlopen sends
Connection: close). The token is fetched once, the same way."""

from __future__ import annotations

import base64
import json
import os
import sys
import urllib.parse
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import env, main  # noqa: E402

key = env("DINERO_API_KEY")
basic = base64.b64encode(f"{env('DINERO_CLIENT_ID')}:{env('DINERO_CLIENT_SECRET')}".encode()).decode()
form = urllib.parse.urlencode(
    {"grant_type": "password", "scope": "read write", "username": key, "password": key}
).encode()
token_request = urllib.request.Request(
    env("DINERO_AUTH_URL"), data=form, headers={"Authorization": "Basic " + basic}
)
with urllib.request.urlopen(token_request, timeout=30) as answer:
    token = json.load(answer)["access_token"]
headers = {"Authorization": "Bearer " + token, "Accept": "application/json"}
url = env("BENCH_URL")


def get_once() -> int:
    with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=30) as r:
        return r.status if r.read() else 0


main(get_once, sys.argv)
