"""Visma Connect against the sandbox's own Visma Connect: the sign-in through a played browser,
organizations chosen per client or per request, rotated refresh tokens handed to the callback on
the thread that refreshed, LOGIN_REQUIRED once the grant is revoked, a forged state, and no
secret in any message or log line."""

from __future__ import annotations

import datetime
import json
import logging
import re
import threading
import traceback
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Dict, List

import pytest

import libdinero
from conftest import Sandbox, assert_no_secret

REDIRECT = "http://127.0.0.1:9/callback"  # loopback: always accepted, nothing needs to listen
CONTACTS = "/v1/{organizationId}/contacts"


def browser(url: str) -> str:
    """What a browser sends to the redirect URI: the consent page's form, form-encoded (the
    sandbox consents at once and answers a self-submitting form of hidden inputs)."""
    with urllib.request.urlopen(url, timeout=10) as answer:
        page = answer.read().decode()
    fields = re.findall(r'<input[^>]*name="([^"]*)"[^>]*value="([^"]*)"', page)
    assert {name for name, _ in fields} >= {"code", "state"}, page
    return urllib.parse.urlencode([(name, _unescape(value)) for name, value in fields])


def _unescape(value: str) -> str:
    for entity, char in (("&quot;", '"'), ("&lt;", "<"), ("&gt;", ">"), ("&#39;", "'"), ("&amp;", "&")):
        value = value.replace(entity, char)
    return value


def options(sandbox: Sandbox, **extra: Any) -> Dict[str, Any]:
    """The sandbox's Visma Connect; no organization unless asked (a user may reach several)."""
    chosen = sandbox.options(connect_url=sandbox.settings["DINERO_CONNECT_URL"], **extra)
    del chosen["auth_url"]
    if "organization_id" not in extra:
        del chosen["organization_id"]
    return chosen


def connect_id(sandbox: Sandbox) -> str:
    return sandbox.settings["DINERO_CONNECT_CLIENT_ID"]


def connect_secret(sandbox: Sandbox) -> str:
    return sandbox.settings["DINERO_CONNECT_CLIENT_SECRET"]


def sign_in(sandbox: Sandbox, tokens: List[str], **extra: Any) -> libdinero.Client:
    authorization = libdinero.connect_authorize_url(connect_id(sandbox), REDIRECT, **options(sandbox))
    return libdinero.connect_authenticate_code(
        connect_id(sandbox), connect_secret(sandbox), authorization, browser(authorization["url"]),
        on_refresh_token=tokens.append, **options(sandbox, **extra),
    )


def test_the_browser_answer_may_come_as_a_mapping(sandbox: Sandbox) -> None:
    # As a web framework hands the POSTed form over (Flask's request.form, Django's request.POST).
    authorization = libdinero.connect_authorize_url(connect_id(sandbox), REDIRECT, **options(sandbox))
    form = dict(urllib.parse.parse_qsl(browser(authorization["url"])))
    tokens: List[str] = []
    with libdinero.connect_authenticate_code(
        connect_id(sandbox), connect_secret(sandbox), authorization, form,
        on_refresh_token=tokens.append, **options(sandbox),
    ) as client:
        assert client.organizations() and len(tokens) == 1


def test_the_browser_answer_may_come_as_bytes_and_other_types_are_invalid(sandbox: Sandbox) -> None:
    # Flask's request.get_data() is the POSTed body as bytes.
    authorization = libdinero.connect_authorize_url(connect_id(sandbox), REDIRECT, **options(sandbox))
    body = browser(authorization["url"]).encode()
    with libdinero.connect_authenticate_code(
        connect_id(sandbox), connect_secret(sandbox), authorization, body, **options(sandbox)
    ) as client:
        assert client.organizations()
    exchanges = sandbox.stats()["connect"]["code_exchanges"]
    for bad in (None, 42, ["code", "state"]):
        with pytest.raises(libdinero.InvalidArgumentError, match="callback"):
            libdinero.connect_authenticate_code(
                connect_id(sandbox), connect_secret(sandbox), authorization, bad,  # type: ignore[arg-type]
                **options(sandbox),
            )
    assert sandbox.stats()["connect"]["code_exchanges"] == exchanges, "nothing was sent"


def test_the_authorize_url_asks_for_a_code_with_pkce(sandbox: Sandbox) -> None:
    authorization = libdinero.connect_authorize_url(
        connect_id(sandbox), REDIRECT, ui_locales="da-DK", **options(sandbox)
    )
    assert set(authorization) == {"url", "state", "code_verifier", "redirect_uri"}
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(authorization["url"]).query)
    assert query["client_id"] == [connect_id(sandbox)] and query["redirect_uri"] == [REDIRECT]
    assert query["response_type"] == ["code"] and query["code_challenge_method"] == ["S256"]
    assert query["state"] == [authorization["state"]] and query["ui_locales"] == ["da-DK"]
    assert "offline_access" in query["scope"][0]
    assert authorization["code_verifier"] not in authorization["url"]
    again = libdinero.connect_authorize_url(connect_id(sandbox), REDIRECT, **options(sandbox))
    assert again["state"] != authorization["state"]
    with pytest.raises(libdinero.InvalidArgumentError):
        libdinero.connect_authorize_url("", REDIRECT, **options(sandbox))


def test_a_sign_in_reaches_each_organization_per_client_or_per_request(sandbox: Sandbox) -> None:
    tokens: List[str] = []
    with sign_in(sandbox, tokens) as client:
        assert len(tokens) == 1, "the first refresh token arrives before the sign-in returns"
        organizations = client.organizations()
        ids = [str(organization["Id"]) for organization in organizations]
        assert len(ids) >= 2 and sandbox.organization_id in ids
        for organization_id in ids:
            client.get(CONTACTS, params={"pageSize": 1}, organization_id=organization_id)
            assert sandbox.requests()[-1]["path"] == f"/v1/{organization_id}/contacts"
        items = list(client.paginate(CONTACTS, page_size=5, organization_id=int(ids[1])))
        assert sandbox.requests()[-1]["path"] == f"/v1/{ids[1]}/contacts" and isinstance(items, list)
        listing = client.download(CONTACTS, accept="application/json", organization_id=ids[1])
        assert sandbox.requests()[-1]["path"] == f"/v1/{ids[1]}/contacts" and listing.startswith(b"{")
        with pytest.raises(libdinero.InvalidArgumentError, match="organization_id"):
            client.get(CONTACTS)  # no organization chosen either way
    with libdinero.connect_authenticate(
        connect_id(sandbox), connect_secret(sandbox), tokens[-1], on_refresh_token=tokens.append,
        **options(sandbox, organization_id=ids[1]),
    ) as later:
        later.get(CONTACTS)
        assert sandbox.requests()[-1]["path"] == f"/v1/{ids[1]}/contacts"


def test_rotated_refresh_tokens_reach_the_callback_on_the_thread_that_refreshed(sandbox: Sandbox) -> None:
    received: List[str] = []
    threads: List[int] = []

    def keep(token: str) -> None:
        received.append(token)
        threads.append(threading.get_ident())

    authorization = libdinero.connect_authorize_url(connect_id(sandbox), REDIRECT, **options(sandbox))
    client = libdinero.connect_authenticate_code(
        connect_id(sandbox), connect_secret(sandbox), authorization, browser(authorization["url"]),
        on_refresh_token=keep, **options(sandbox, organization_id=sandbox.organization_id),
    )
    with client, ThreadPoolExecutor(1) as pool:
        for _ in range(2):
            sandbox.admin("POST", "/tokens/expire")  # the next request must refresh
            worker = pool.submit(lambda: (client.get(CONTACTS), threading.get_ident())[1]).result()
            assert threads[-1] == worker
    assert len(received) == 3 and len(set(received)) == 3, "the sign-in's, then one per refresh"
    assert sandbox.stats()["connect"]["refreshes"] == 2
    newest: List[str] = []
    with libdinero.connect_authenticate(
        connect_id(sandbox), connect_secret(sandbox), received[-1], on_refresh_token=newest.append,
        **options(sandbox, organization_id=sandbox.organization_id),
    ) as later:
        assert later.get(CONTACTS) is not None
    assert newest and newest[-1] not in received


def test_a_revoked_grant_is_login_required_without_asking_again(sandbox: Sandbox) -> None:
    tokens: List[str] = []
    client = sign_in(sandbox, tokens, organization_id=sandbox.organization_id)
    sandbox.admin("POST", "/connect/revoke")
    sandbox.admin("POST", "/tokens/expire")
    for _ in range(2):
        with pytest.raises(libdinero.LoginRequiredError) as caught:
            client.get(CONTACTS)
        assert isinstance(caught.value, libdinero.AuthenticationError)
        assert caught.value.status == 13 and not caught.value.rejected
    assert sandbox.stats()["connect"]["invalid_grants"] == 1, "refused once, then not asked again"
    client.close()
    with pytest.raises(libdinero.LoginRequiredError):
        libdinero.connect_authenticate(
            connect_id(sandbox), connect_secret(sandbox), tokens[-1], **options(sandbox)
        )


def test_a_forged_state_is_refused(sandbox: Sandbox) -> None:
    authorization = libdinero.connect_authorize_url(connect_id(sandbox), REDIRECT, **options(sandbox))
    answer = dict(urllib.parse.parse_qsl(browser(authorization["url"])))
    forged = urllib.parse.urlencode({**answer, "state": "x" + answer["state"]})
    with pytest.raises(libdinero.AuthenticationError) as caught:
        libdinero.connect_authenticate_code(
            connect_id(sandbox), connect_secret(sandbox), authorization, forged, **options(sandbox)
        )
    assert not isinstance(caught.value, libdinero.LoginRequiredError) and caught.value.rejected
    assert "state" in str(caught.value)
    assert sandbox.stats()["connect"]["code_exchanges"] == 0, "the code was never sent"


def test_no_secret_in_any_message_or_log_line(sandbox: Sandbox, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="libdinero")
    tokens: List[str] = []
    authorization = libdinero.connect_authorize_url(connect_id(sandbox), REDIRECT, **options(sandbox))
    callback = browser(authorization["url"])
    code = dict(urllib.parse.parse_qsl(callback))["code"]
    messages: List[str] = []

    def failure(call: Any) -> None:
        with pytest.raises(libdinero.DineroError) as caught:
            call()
        messages.append(repr(caught.value) + str(caught.value))

    failure(lambda: libdinero.connect_authenticate_code(
        connect_id(sandbox), "wrong-" + connect_secret(sandbox), authorization, callback,
        **options(sandbox)))
    client = libdinero.connect_authenticate_code(
        connect_id(sandbox), connect_secret(sandbox), authorization, callback,
        on_refresh_token=tokens.append, **options(sandbox, organization_id=sandbox.organization_id))
    sandbox.admin("POST", "/tokens/expire")
    client.get(CONTACTS)  # a refresh, logged
    # A code works once; used again, it also revokes what it gave (RFC 6749 4.1.2).
    failure(lambda: libdinero.connect_authenticate_code(
        connect_id(sandbox), connect_secret(sandbox), authorization, callback, **options(sandbox)))
    sandbox.admin("POST", "/tokens/expire")
    failure(lambda: client.get(CONTACTS))
    failure(lambda: libdinero.connect_authenticate(
        connect_id(sandbox), connect_secret(sandbox), tokens[-1], **options(sandbox)))
    client.close()
    assert len(messages) == 4 and len(tokens) == 2
    text = "\n".join(messages + [record.getMessage() for record in caplog.records])
    assert "refresh" in text  # the log did record the refresh
    assert_no_secret(text, sandbox, connect_secret(sandbox), code, authorization["code_verifier"], *tokens)


@pytest.mark.parametrize("stored", ["bytes", "datetime"])
def test_an_authorization_that_cannot_be_read_leaves_no_secret_in_a_traceback(
    sandbox: Sandbox, stored: str
) -> None:
    authorization = libdinero.connect_authorize_url(connect_id(sandbox), REDIRECT, **options(sandbox))
    callback = browser(authorization["url"])
    code = dict(urllib.parse.parse_qsl(callback))["code"]
    # What a session store may hand back: the JSON as bytes, or the dict with a value added.
    given: Any = json.dumps(authorization).encode()
    if stored == "datetime":
        given = dict(authorization, started=datetime.datetime.now())
    with pytest.raises(libdinero.InvalidArgumentError) as caught:
        libdinero.connect_authenticate_code(
            connect_id(sandbox), connect_secret(sandbox), given, callback, **options(sandbox))
    error = caught.value
    inner = error.__traceback__.tb_next if error.__traceback__ else None
    shown = "".join(traceback.TracebackException(
        type(error), error, inner, capture_locals=True).format()) if inner else ""
    kept = error.__context__ or error.__cause__
    while kept is not None:
        shown += repr(kept) + "".join(
            traceback.TracebackException.from_exception(kept, capture_locals=True).format())
        kept = kept.__context__ or kept.__cause__
    assert_no_secret(shown + str(error), sandbox, connect_secret(sandbox), code,
                     authorization["code_verifier"])


def test_a_raising_callback_is_logged_by_type_and_never_reaches_the_library(
    sandbox: Sandbox, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(token: str) -> None:
        raise RuntimeError(f"database down while storing {token}")

    authorization = libdinero.connect_authorize_url(connect_id(sandbox), REDIRECT, **options(sandbox))
    with libdinero.connect_authenticate_code(
        connect_id(sandbox), connect_secret(sandbox), authorization, browser(authorization["url"]),
        on_refresh_token=broken, **options(sandbox, organization_id=sandbox.organization_id),
    ) as client:
        assert client.get(CONTACTS) is not None
    errors = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    assert errors and "RuntimeError" in errors[0] and "database" not in errors[0]
