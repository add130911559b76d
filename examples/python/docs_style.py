#!/usr/bin/env python3
"""docs_style.py - the shape of the examples on Dinero's personal-integration page, built on
libdinero: an ``authenticate(uri, client_id, client_secret, api_key)`` function that returns an
access token, then plain HTTP calls with ``Authorization: Bearer <token>``.

The difference from the docs' version: the exchange is libdinero's (the exact request of the
docs, with retries and clear errors), and calling ``authenticate`` again returns the same token
until it is due, then a fresh one, instead of asking the token endpoint every time.

Environment: as examples/python/personal_integration.py (DINERO_CLIENT_ID, DINERO_CLIENT_SECRET,
DINERO_API_KEY, DINERO_ORGANIZATION_ID required; DINERO_AUTH_URL, DINERO_API_URL optional).
Exit status: 0 success, 1 an error, 2 bad environment. The token is never printed.
"""

from __future__ import annotations

import json
import os
import sys
import urllib.error
import urllib.request
from typing import Any, Dict, Tuple

import libdinero

AUTH_URL = "https://authz.dinero.dk/dineroapi/oauth/token"
API_URL = "https://api.dinero.dk"

_clients: Dict[Tuple[str, str, str, str], libdinero.Client] = {}


def authenticate(uri: str, client_id: str, client_secret: str, api_key: str) -> str:
    """Exchanges the client id and secret and the organization's API key for an access token
    at the token endpoint ``uri``; returns the token (valid for about an hour)."""
    key = (uri, client_id, client_secret, api_key)
    client = _clients.get(key)
    if client is None:
        client = libdinero.authenticate(client_id, client_secret, api_key, auth_url=uri)
        _clients[key] = client
    return client.access_token()


def get_json(url: str, token: str) -> Any:
    request = urllib.request.Request(
        url, headers={"Authorization": f"Bearer {token}", "Accept": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read().decode("utf-8"))


def main() -> int:
    env = os.environ
    required = ("DINERO_CLIENT_ID", "DINERO_CLIENT_SECRET", "DINERO_API_KEY", "DINERO_ORGANIZATION_ID")
    missing = [name for name in required if not env.get(name)]
    if missing:
        print(f"error: set {', '.join(missing)} (dinero-sandbox prints them)", file=sys.stderr)
        return 2
    auth_url = env.get("DINERO_AUTH_URL") or AUTH_URL
    api_url = (env.get("DINERO_API_URL") or API_URL).rstrip("/")
    organization_id = env["DINERO_ORGANIZATION_ID"]

    try:
        token = authenticate(auth_url, env["DINERO_CLIENT_ID"], env["DINERO_CLIENT_SECRET"], env["DINERO_API_KEY"])
    except libdinero.DineroError as error:
        print(f"error: authentication failed: {error}", file=sys.stderr)
        return 1
    print(f"access token: {len(token)} characters (not shown)")

    again = authenticate(auth_url, env["DINERO_CLIENT_ID"], env["DINERO_CLIENT_SECRET"], env["DINERO_API_KEY"])
    print("second authenticate(): " + ("the same token, no new exchange" if again == token else "a new token"))

    try:
        organizations = get_json(f"{api_url}/v1/organizations", token)
        print(f"organizations: {', '.join(o['Name'] for o in organizations)}")
        contacts = get_json(f"{api_url}/v1/{organization_id}/contacts?page=0&pageSize=5&fields=Name", token)
        print(f"contacts: {contacts['Pagination']['Result']} in all; the first few:")
        for contact in contacts["Collection"]:
            print(f"   - {contact['Name']}")
    except urllib.error.HTTPError as error:
        print(f"error: HTTP {error.code}: {error.read().decode('utf-8', 'replace')}", file=sys.stderr)
        return 1
    except urllib.error.URLError as error:
        print(f"error: {error.reason}", file=sys.stderr)
        return 1
    finally:
        for client in _clients.values():
            client.close()
    print("\ndone")
    return 0


if __name__ == "__main__":
    sys.exit(main())
