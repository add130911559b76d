#!/usr/bin/env python3
"""visma_connect.py - signing in through Visma Connect, for an integration offered to many
companies (the API-key flow of personal_integration.py is for one's own company only).

  1. a sign-in URL (state and PKCE made by the library), and a local listener for the redirect
  2. the user signs in; the browser POSTs the answer to the listener
  3. the code is exchanged: a client, and the first refresh token for on_refresh_token
  4. the organizations the user reaches, and a request for each (organization per request)
  5. a later run: a client from the stored refresh token, which rotates on every refresh

Run against the sandbox (its consent page approves at once, and this script plays the browser
when DINERO_CONNECT_URL is on this machine), from the repository root:

    target/release/dinero-sandbox --env-file sandbox.env &
    set -a; . ./sandbox.env; set +a
    python3 examples/python/visma_connect.py

Environment: DINERO_CONNECT_CLIENT_ID, DINERO_CONNECT_CLIENT_SECRET (required);
DINERO_CONNECT_URL, DINERO_API_URL (optional; unset means the real Visma Connect and Dinero);
DINERO_LIBRARY (optional). Exit status: 0 success, 1 library error, 2 bad environment. No
secret (client secret, code, verifier, token) is ever printed.
"""

from __future__ import annotations

import http.server
import os
import re
import sys
import threading
import urllib.parse
import urllib.request
from typing import Dict, List

import libdinero


class Redirect(http.server.BaseHTTPRequestHandler):
    """The redirect URI: keeps the body of the browser's POST (or the query of a GET)."""

    received: List[str] = []
    arrived = threading.Event()

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", "0"))
        self.finish_with(self.rfile.read(length).decode("ascii", "replace"))

    def do_GET(self) -> None:
        self.finish_with(urllib.parse.urlsplit(self.path).query)

    def finish_with(self, answer: str) -> None:
        self.received.append(answer)
        self.send_response(200)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.end_headers()
        self.wfile.write("Signed in: you may close this window.\n".encode())
        self.arrived.set()

    def log_message(self, format: str, *args: object) -> None:
        pass  # the query may hold the code: never logged


def play_browser(url: str) -> None:
    """What a browser does on the sandbox: load the consent page, submit its form."""
    with urllib.request.urlopen(url, timeout=10) as answer:
        page = answer.read().decode()
    action = re.search(r'<form[^>]*action="([^"]*)"', page)
    fields = re.findall(r'<input[^>]*name="([^"]*)"[^>]*value="([^"]*)"', page)
    assert action is not None, "the consent page has no form"
    data = urllib.parse.urlencode([(n, v.replace("&amp;", "&")) for n, v in fields]).encode()
    urllib.request.urlopen(action.group(1).replace("&amp;", "&"), data=data, timeout=10).close()


def main() -> int:
    client_id = os.environ.get("DINERO_CONNECT_CLIENT_ID", "")
    client_secret = os.environ.get("DINERO_CONNECT_CLIENT_SECRET", "")
    if not client_id or not client_secret:
        print("error: set DINERO_CONNECT_CLIENT_ID and DINERO_CONNECT_CLIENT_SECRET", file=sys.stderr)
        return 2
    options: Dict[str, str] = {
        key: os.environ[name]
        for key, name in (("connect_url", "DINERO_CONNECT_URL"), ("api_url", "DINERO_API_URL"))
        if os.environ.get(name)
    }
    stored: List[str] = []  # your database; the newest refresh token is the one that works

    print("== 1. the sign-in URL, and a listener for the redirect ==")
    listener = http.server.HTTPServer(("127.0.0.1", 0), Redirect)
    threading.Thread(target=listener.serve_forever, daemon=True).start()
    redirect_uri = f"http://127.0.0.1:{listener.server_port}/callback"
    try:
        authorization = libdinero.connect_authorize_url(client_id, redirect_uri, **options)
        print("== 2. the user signs in ==")
        connect_url = options.get("connect_url", "")
        if connect_url.startswith(("http://127.0.0.1", "http://localhost")):
            print("the sandbox: playing the browser at", authorization["url"].split("?")[0])
            play_browser(authorization["url"])
        else:
            print("open this in a browser:", authorization["url"])
        if not Redirect.arrived.wait(timeout=300):
            print("error: no sign-in within 5 minutes", file=sys.stderr)
            return 1
        listener.shutdown()

        print("== 3. the code is exchanged ==")
        with libdinero.connect_authenticate_code(
            client_id, client_secret, authorization, Redirect.received[0],
            on_refresh_token=stored.append, **options,
        ) as dinero:
            print(f"signed in; {len(stored)} refresh token stored")

            print("== 4. organizations, one request each ==")
            for organization in dinero.organizations():
                contacts = dinero.get("/v1/{organizationId}/contacts",
                                      organization_id=organization["Id"])
                print(f"{organization['Name']}: {len(contacts['Collection'])} contacts on page 0")

        print("== 5. a later run, from the stored refresh token ==")
        with libdinero.connect_authenticate(
            client_id, client_secret, stored[-1], on_refresh_token=stored.append, **options
        ) as dinero:
            print(f"{len(dinero.organizations())} organizations reached again")
    except libdinero.LoginRequiredError as error:
        print(f"sign in again: {error}", file=sys.stderr)
        return 1
    except libdinero.DineroError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print("done")
    return 0


if __name__ == "__main__":
    sys.exit(main())
