"""authenticate(), options, the Client's lifetime, and the exceptions of the token exchange."""

from __future__ import annotations

import builtins
import gc
import traceback
from pathlib import Path
from typing import Callable, Dict

import pytest

import libdinero
from conftest import Sandbox, assert_no_secret


def test_authenticate_returns_an_open_client(sandbox: Sandbox) -> None:
    client = sandbox.connect()
    try:
        assert isinstance(client, libdinero.Client)
        assert not client.closed
        assert "open" in repr(client)
        assert sandbox.stats()["tokens_issued"] == 1
    finally:
        client.close()
    assert client.closed
    assert_no_secret(repr(client), sandbox)


def test_clients_are_made_by_authenticate_only() -> None:
    with pytest.raises(TypeError):
        libdinero.Client()


def test_a_wrong_secret_is_rejected_without_leaking_it(sandbox: Sandbox) -> None:
    wrong = "wrong-secret-0123456789"
    with pytest.raises(libdinero.AuthenticationError) as caught:
        libdinero.authenticate(sandbox.client_id, wrong, sandbox.api_key, **sandbox.options())
    error = caught.value
    assert error.status == 4 and error.rejected
    assert isinstance(error, libdinero.DineroError)
    assert str(error)
    assert_no_secret(str(error) + repr(error), sandbox, wrong)


@pytest.mark.parametrize(
    "secret, api_key",
    [
        ("trace-secret-31f7", "wrong-api-key-9d4c"),  # refused by the token endpoint
        ("trace-secret-31f7", "nul-api-key-\0-77b"),  # refused before the call
        (b"bytes-secret-5e2a", "wrong-api-key-9d4c"),  # not a str: refused before the call
        ("trace-secret-31f7", "surrogate-api-key-\udc80"),  # not UTF-8: refused before the call
    ],
)
def test_secrets_never_reach_a_traceback_with_its_locals(
    sandbox: Sandbox, secret: object, api_key: str
) -> None:
    with pytest.raises(libdinero.DineroError) as caught:
        libdinero.authenticate(sandbox.client_id, secret, api_key, **sandbox.options())  # type: ignore[arg-type]
    error = caught.value
    # The binding's frames only: this test's own frame holds the secrets as its variables.
    inner = error.__traceback__.tb_next if error.__traceback__ else None
    assert inner is not None, "the error came from inside libdinero"
    shown = "".join(
        traceback.TracebackException(type(error), error, inner, capture_locals=True).format()
    )
    assert "authenticate" in shown
    # Nor in an exception the error keeps (its __context__ or __cause__), shown or not.
    kept = error.__context__ or error.__cause__
    while kept is not None:
        shown += repr(kept) + "".join(
            traceback.TracebackException.from_exception(kept, capture_locals=True).format()
        )
        kept = kept.__context__ or kept.__cause__
    for part in ("trace-secr", "bytes-secr", "wrong-api-k", "nul-api-key", "surrogate-api"):
        if part in shown:
            pytest.fail(f"{part!r} is in a traceback frame's variables", pytrace=False)


def test_a_wrong_api_key_is_rejected(sandbox: Sandbox) -> None:
    wrong = "wrong-key-9876543210"
    with pytest.raises(libdinero.AuthenticationError) as caught:
        libdinero.authenticate(
            sandbox.client_id, sandbox.client_secret, wrong, **sandbox.options()
        )
    assert caught.value.rejected
    assert "invalid_grant" in str(caught.value) or "API key" in str(caught.value)
    assert_no_secret(str(caught.value), sandbox, wrong)


def test_a_broken_token_endpoint_is_unavailable_not_rejected(sandbox: Sandbox) -> None:
    sandbox.fault(kind="status", status=500, target="token", count=10)
    with pytest.raises(libdinero.AuthenticationError) as caught:
        sandbox.connect(max_retries=0)
    assert caught.value.status == 5
    assert not caught.value.rejected
    assert_no_secret(str(caught.value), sandbox)


def test_options_accept_int_float_bool_str_path_and_none(sandbox: Sandbox, tmp_path: Path) -> None:
    client = sandbox.connect(
        timeout_ms=5000.0,
        connect_timeout_ms=2000,
        max_retries=1,
        user_agent="libdinero-python-tests",
        auth_url=sandbox.auth_url,
        scope=None,  # None: the default
    )
    with client:
        assert client.get("/v1/organizations")
    agent = sandbox.requests()[-1]["headers"]["user-agent"]
    assert agent.startswith("libdinero-python-tests") and "libdinero/" in agent


def test_an_unknown_option_names_the_valid_ones(sandbox: Sandbox) -> None:
    with pytest.raises(libdinero.InvalidArgumentError) as caught:
        sandbox.connect(no_such_option=1)
    assert caught.value.status == 3
    assert isinstance(caught.value, ValueError)
    assert "timeout_ms" in str(caught.value)
    assert sandbox.stats()["token_requests"] == 0


@pytest.mark.parametrize(
    "options",
    [
        {"timeout_ms": "soon"},
        {"max_retries": 99},
        {"timeout_ms": 1.5},
        {"api_url": "http://example.com"},  # plain http to another host
    ],
)
def test_bad_option_values_are_invalid_arguments(sandbox: Sandbox, options: Dict[str, object]) -> None:
    with pytest.raises(libdinero.InvalidArgumentError) as caught:
        sandbox.connect(**options)
    assert caught.value.status == 3


@pytest.mark.parametrize("value", [object(), [1], b"bytes", float("nan")])
def test_unsupported_option_types_are_invalid_arguments(sandbox: Sandbox, value: object) -> None:
    with pytest.raises(libdinero.InvalidArgumentError):
        sandbox.connect(user_agent=value)


def test_bool_options_are_passed_as_true_or_false(sandbox: Sandbox) -> None:
    # The library turns values into text (true/false, 2000.0 -> 2000: tested in
    # src/request/spec.rs); here: a whole float and an int are accepted as numbers.
    sandbox.connect(timeout_ms=2000.0, max_retries=1).close()
    with pytest.raises(libdinero.InvalidArgumentError) as caught:
        sandbox.connect(timeout_ms=True)  # not a number: the library says so
    assert caught.value.status == 3


@pytest.mark.parametrize(
    "field, bad, status",
    [
        ("client_secret", "sec\0ret", 3),
        ("client_secret", "sec\udc80ret", 2),
        ("api_key", "key\0", 3),
        ("client_id", 42, 3),
    ],
)
def test_bad_credentials_strings_are_refused_before_anything_is_sent(
    sandbox: Sandbox, field: str, bad: object, status: int
) -> None:
    credentials = {
        "client_id": sandbox.client_id,
        "client_secret": sandbox.client_secret,
        "api_key": sandbox.api_key,
        field: bad,
    }
    with pytest.raises(libdinero.InvalidArgumentError) as caught:
        libdinero.authenticate(**credentials, **sandbox.options())  # type: ignore[arg-type]
    assert caught.value.status == status
    assert field in str(caught.value)
    assert_no_secret(str(caught.value), sandbox, *([bad] if isinstance(bad, str) else []))
    assert sandbox.stats()["token_requests"] == 0


def test_empty_credentials_are_refused_by_the_library(sandbox: Sandbox) -> None:
    with pytest.raises(libdinero.InvalidArgumentError) as caught:
        libdinero.authenticate("", sandbox.client_secret, sandbox.api_key, **sandbox.options())
    assert caught.value.status == 3


def test_a_nul_in_an_option_is_refused(sandbox: Sandbox) -> None:
    with pytest.raises(libdinero.InvalidArgumentError):
        sandbox.connect(user_agent="a\0b")


def test_connection_refused_is_a_network_error(sandbox_with: Callable[..., Sandbox]) -> None:
    gone = sandbox_with()
    gone.stop()
    with pytest.raises(libdinero.NetworkError) as caught:
        gone.connect(max_retries=0, connect_timeout_ms=2000)
    assert caught.value.status == 6
    assert_no_secret(str(caught.value), gone)


def test_a_slow_token_endpoint_is_a_timeout(sandbox: Sandbox) -> None:
    sandbox.fault(kind="delay", delay_ms=1500, target="token")
    with pytest.raises(libdinero.TimeoutError) as caught:
        sandbox.connect(timeout_ms=300, max_retries=0)
    assert caught.value.status == 7
    assert isinstance(caught.value, builtins.TimeoutError)


def test_close_is_idempotent_and_use_after_close_raises(sandbox: Sandbox) -> None:
    client = sandbox.connect()
    client.close()
    client.close()
    for use in (
        lambda: client.request("GET", "/v1/organizations"),
        lambda: client.get("/v1/organizations"),
        lambda: client.post("/v1/{organizationId}/contacts", {}),
        lambda: client.put("/v1/{organizationId}/contacts/x", {}),
        lambda: client.delete("/v1/{organizationId}/contacts/x"),
        lambda: list(client.paginate("/v1/{organizationId}/contacts")),
        client.access_token,
    ):
        with pytest.raises(libdinero.InvalidArgumentError, match="closed"):
            use()
    assert sandbox.stats()["api_requests"] == 0


def test_with_closes_the_client(sandbox: Sandbox) -> None:
    with sandbox.connect() as client:
        assert client.get("/v1/organizations")
    assert client.closed


def test_garbage_collection_frees_clients(sandbox: Sandbox) -> None:
    for _ in range(20):
        sandbox.connect()  # dropped at once: __del__ frees it
    gc.collect()
    assert sandbox.stats()["tokens_issued"] == 20


def test_access_token_is_a_string_that_is_reused(client: libdinero.Client, sandbox: Sandbox) -> None:
    token = client.access_token()
    assert isinstance(token, str) and len(token) > 20
    if client.access_token() != token:
        pytest.fail("a fresh token was fetched while the first one was still good", pytrace=False)
    assert sandbox.stats()["token_requests"] == 0  # the one from authenticate was before reset
