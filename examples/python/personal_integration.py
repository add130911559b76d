#!/usr/bin/env python3
"""personal_integration.py - the steps of Dinero's "personal integration" guide, in Python, through
libdinero (the same steps as examples/c/personal_integration.c).

  1. authenticate with client id, client secret and the organization's API key
  2. GET /v1/organizations
  3. list the contacts, page by page
  4. create a contact (Danish text, UTF-8)
  5. provoke a validation error: Dinero's answer becomes a libdinero.ApiError

Run against the sandbox, from the repository root:

    make demo

By hand:

    pip install ./bindings/python
    target/release/dinero-sandbox --env-file sandbox.env &    # then export what it prints:
    set -a; . ./sandbox.env; set +a
    python3 examples/python/personal_integration.py

Environment:
    DINERO_CLIENT_ID, DINERO_CLIENT_SECRET, DINERO_API_KEY, DINERO_ORGANIZATION_ID  (required)
    DINERO_AUTH_URL, DINERO_API_URL   (optional; unset means the real Dinero)
    DINERO_PAGE_SIZE                  (optional; contacts per page, default 2)
    DINERO_LIBRARY                    (optional; the path of libdinero.so)

Exit status: 0 success, 1 library error, 2 bad environment, 3 an unexpected HTTP status (>= 400)
in steps 2-4. The client secret, the API key and the access token are never printed.
"""

from __future__ import annotations

import os
import sys
from typing import Dict, Optional

import libdinero

CONTACTS = "/v1/{organizationId}/contacts"  # {organizationId}: from the organization_id option


def heading(step: int, title: str) -> None:
    print(f"\n== {step}. {title} ==")


def environment() -> Optional[Dict[str, str]]:
    """The DINERO_* settings, or None after saying which required one is missing."""
    settings: Dict[str, str] = {}
    missing = []
    for name in ("DINERO_CLIENT_ID", "DINERO_CLIENT_SECRET", "DINERO_API_KEY", "DINERO_ORGANIZATION_ID"):
        value = os.environ.get(name, "")
        if value:
            settings[name] = value
        else:
            missing.append(name)
    for name in missing:
        print(
            f"error: environment variable {name} is not set "
            "(start dinero-sandbox and export the DINERO_* variables it prints)",
            file=sys.stderr,
        )
    if missing:
        return None
    for name in ("DINERO_AUTH_URL", "DINERO_API_URL", "DINERO_PAGE_SIZE"):
        if os.environ.get(name):
            settings[name] = os.environ[name]
    return settings


def main() -> int:
    env = environment()
    if env is None:
        return 2
    try:
        page_size = int(env.get("DINERO_PAGE_SIZE", "2"))
        if not 1 <= page_size <= 1000:
            raise ValueError
    except ValueError:
        print("error: DINERO_PAGE_SIZE must be a number from 1 to 1000", file=sys.stderr)
        return 2

    heading(1, "Authenticate (API key -> access token)")
    print(f"libdinero {libdinero.library_version()} (Python package {libdinero.__version__})")
    print(f"auth_url: {env.get('DINERO_AUTH_URL', '(library default: the real Dinero)')}")
    print(f"api_url:  {env.get('DINERO_API_URL', '(library default: the real Dinero)')}")
    try:
        # Options the environment leaves unset are None: the library's default (the real Dinero).
        client = libdinero.authenticate(
            env["DINERO_CLIENT_ID"],
            env["DINERO_CLIENT_SECRET"],
            env["DINERO_API_KEY"],
            organization_id=env["DINERO_ORGANIZATION_ID"],
            auth_url=env.get("DINERO_AUTH_URL"),
            api_url=env.get("DINERO_API_URL"),
        )
    except libdinero.AuthenticationError as error:
        advice = "check the credentials" if error.rejected else "try again later"
        print(f"error: authentication failed ({advice}): {error}", file=sys.stderr)
        return 1
    except libdinero.DineroError as error:
        print(f"error: {type(error).__name__}: {error}", file=sys.stderr)
        return 1

    unexpected = False
    with client:
        try:
            print(f"access token: {len(client.access_token())} characters (not shown)")

            heading(2, "The organizations this token reaches")
            for organization in client.get("/v1/organizations"):
                print(f"   - {organization['Name']} (id {organization['Id']})")

            heading(3, "Contacts, page by page")
            count = 0
            for contact in client.paginate(
                CONTACTS, params={"fields": "ContactGuid,Name"}, page_size=page_size
            ):
                count += 1
                print(f"   - {contact['Name']}")
            print(f"{count} contact(s), {page_size} per request")

            heading(4, "Create a contact")
            created = client.post(
                CONTACTS,
                {
                    "Name": "Børge Lund",
                    "CountryKey": "DK",
                    "IsPerson": True,
                    "IsMember": False,
                    "UseCvr": False,
                    "Street": "Støvringparken 10, st. th",
                    "ZipCode": "9530",
                    "City": "Støvring",
                },
            )
            print(f"created: {created}")
        except libdinero.ApiError as error:
            print(f"error: Dinero answered {error}", file=sys.stderr)
            unexpected = True
        except libdinero.DineroError as error:
            print(f"error: {type(error).__name__}: {error}", file=sys.stderr)
            return 1

        heading(5, "Dinero's error handling: a contact without a Name")
        try:
            client.post(CONTACTS, {"CountryKey": "DK", "IsPerson": True})
            print("unexpected: Dinero accepted a contact without a Name")
        except libdinero.ApiError as error:
            print(f"ApiError: HTTP {error.status}, Dinero code {error.code}: {error.message}")
            for field, problem in error.validation_errors.items():
                print(f"   {field}: {problem}")
        except libdinero.DineroError as error:
            print(f"error: {type(error).__name__}: {error}", file=sys.stderr)
            return 1

    if unexpected:
        print("error: an HTTP status >= 400 in steps 2-4 (see above)", file=sys.stderr)
        return 3
    print("\ndone")
    return 0


if __name__ == "__main__":
    sys.exit(main())
