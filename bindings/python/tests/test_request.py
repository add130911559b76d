"""Client.request() and Response: any status comes back; failures without an answer raise."""

from __future__ import annotations

import json
from typing import List

import pytest

import libdinero
from libdinero import _constants
from conftest import Sandbox, assert_no_secret

CONTACTS = "/v1/{organizationId}/contacts"


def test_a_response_has_status_body_text_json_and_headers(client: libdinero.Client) -> None:
    with client.request("GET", "/v1/organizations") as response:
        assert isinstance(response, libdinero.Response)
        assert response.status == 200 and response.ok
        assert isinstance(response.body, bytes)
        assert response.text == response.body.decode("utf-8")
        organizations = response.json()
        assert organizations[0]["Id"] == 424242
        content_type = response.header("Content-Type")
        assert content_type is not None and content_type.startswith("application/json")
        assert response.header("content-type") == content_type
        assert response.header("CONTENT-TYPE") == content_type
        assert response.header("X-Not-There") is None
        headers = response.headers
        assert headers["content-type"] == content_type
        assert headers.get("Content-Type") == content_type
        assert "Content-Type" in headers and "x-not-there" not in headers
        assert headers.get("x-not-there") is None
        with pytest.raises(KeyError):
            headers["x-not-there"]
        assert "200" in repr(response)


def test_headers_are_a_full_read_only_mapping(client: libdinero.Client) -> None:
    from collections.abc import Mapping

    with client.request("GET", "/v1/organizations") as response:
        headers = response.headers
        assert isinstance(headers, libdinero.Headers) and isinstance(headers, Mapping)
        names = list(headers)
        assert "content-type" in names and "content-length" in names
        assert all(name == name.lower() for name in names)
        assert len(names) == len(set(names)) == len(headers) >= 2
        for name in names:
            assert headers[name] == response.header(name)
            assert headers[name.upper()] == headers[name] == headers.get(name.title())
            assert name.upper() in headers
        assert dict(headers) == {name: response.header(name) for name in names}
        assert list(headers.keys()) == names and len(headers.items()) == len(names)
        assert 42 not in headers and headers.get(42) is None  # type: ignore[comparison-overlap, call-overload]
        with pytest.raises(TypeError):
            headers["x-new"] = "1"  # type: ignore[index]
        assert "content-type" in repr(headers)
    # A snapshot: still readable after the response is freed.
    assert headers["Content-Type"].startswith("application/json")


def test_headers_keep_the_order_and_join_repeats() -> None:
    headers = libdinero.Headers([("B", "1"), ("a", "2"), ("b", "3")])
    assert list(headers) == ["b", "a"]
    assert headers["B"] == "1, 3" and len(headers) == 2
    assert headers == {"b": "1, 3", "a": "2"}
    assert libdinero.Headers({"X-One": "1"})["x-one"] == "1"


def test_http_errors_are_responses_not_exceptions(client: libdinero.Client) -> None:
    with client.request("GET", "/v1/no/such/route/here") as response:
        assert response.status == 404 and not response.ok
        assert response.text.lstrip().startswith("<")
        with pytest.raises(ValueError):
            response.json()
    with client.request("POST", CONTACTS, json={"CountryKey": "DK"}) as response:
        assert response.status == 400
        assert response.json()["code"] == 42


def test_an_empty_body(client: libdinero.Client, sandbox: Sandbox) -> None:
    sandbox.fault(kind="status", status=204)
    with client.request("DELETE", CONTACTS + "/whatever") as response:
        assert response.status == 204
        assert response.body == b"" and response.text == ""
        assert response.json() is None
    # Blank is what the library calls blank (as get() reads it), in every binding: ASCII
    # whitespace is; a no-break space or a vertical tab is not JSON.
    sandbox.fault(kind="status", status=200, body=" \t\r\n\f")
    with client.request("GET", CONTACTS) as response:
        assert response.json() is None
    for body in ("\u00a0", "\v"):
        sandbox.fault(kind="status", status=200, body=body)
        with client.request("GET", CONTACTS) as response, pytest.raises(ValueError):
            response.json()


def test_bodies_are_binary_safe(client: libdinero.Client, sandbox: Sandbox) -> None:
    sandbox.fault(kind="malformed", body="a\u0000b\u0000c")
    with client.request("GET", CONTACTS) as response:
        assert response.body == b"a\x00b\x00c"


def test_json_bodies_are_utf8_and_byte_exact(client: libdinero.Client, sandbox: Sandbox) -> None:
    contact = {"Name": "Børge Lund", "CountryKey": "DK", "IsPerson": True, "IsMember": False, "UseCvr": False,
               "City": "Støvring"}
    with client.request("POST", CONTACTS, json=contact) as response:
        assert response.status == 201, response.text
        guid = response.json()["ContactGuid"]
    logged = sandbox.requests()[-1]
    assert json.loads(logged["body"]) == contact
    assert "Børge Lund" in logged["body"]  # not \u00f8 escapes
    assert logged["headers"]["content-type"].startswith("application/json")
    with client.request("GET", f"{CONTACTS}/{guid}") as response:
        assert response.json()["Name"] == "Børge Lund"


def test_params_become_a_percent_encoded_query(client: libdinero.Client, sandbox: Sandbox) -> None:
    params = {"queryFilter": "Name eq 'Børge Lund'", "fields": "Name,ContactGuid", "skip": None}
    with client.request("GET", CONTACTS, params=params) as response:
        assert response.status == 200, response.text
        names = [c["Name"] for c in response.json()["Collection"]]
        assert names and set(names) == {"Børge Lund"}
    logged = sandbox.requests()[-1]
    assert " " not in logged["query"] and "%20" in logged["query"]
    assert "skip" not in logged["query"]


@pytest.mark.parametrize(
    "path, expected",
    [
        (CONTACTS, "pageSize=1&deletedOnly=false"),
        (CONTACTS + "?page=0", "page=0&pageSize=1&deletedOnly=false"),
        (CONTACTS + "?", "pageSize=1&deletedOnly=false"),
        (CONTACTS + "?page=0&", "page=0&pageSize=1&deletedOnly=false"),
    ],
)
def test_params_are_appended_with_the_right_separator(
    client: libdinero.Client, sandbox: Sandbox, path: str, expected: str
) -> None:
    with client.request("GET", path, params=[("pageSize", 1), ("deletedOnly", False)]) as response:
        assert response.status == 200, response.text
    assert sandbox.requests()[-1]["query"] == expected


def test_list_params_repeat(client: libdinero.Client, sandbox: Sandbox) -> None:
    client.request("GET", CONTACTS, params={"fields": ["Name", "City"]}).close()
    assert sandbox.requests()[-1]["query"] == "fields=Name&fields=City"


@pytest.mark.parametrize(
    "method, path, body, status",
    [
        ("GET", CONTACTS + "\0x", None, 3),
        ("GET", CONTACTS + "\udc80", None, 2),
        ("G\0ET", CONTACTS, None, 3),
        ("FETCH", CONTACTS, None, 3),  # refused by the library
        ("GET", CONTACTS + "?q=a b", None, 3),  # a raw space, refused by the library
        ("GET", CONTACTS + "\r\nX: y", None, 3),
        ("POST", CONTACTS, {"Name": "\udc80"}, 2),
        ("POST", CONTACTS, {"n": float("nan")}, 3),
        ("POST", CONTACTS, {"n": object()}, 3),
    ],
)
def test_bad_arguments_are_invalid_and_send_nothing(
    client: libdinero.Client, sandbox: Sandbox, method: str, path: str, body: object, status: int
) -> None:
    with pytest.raises(libdinero.InvalidArgumentError) as caught:
        client.request(method, path, json=body)
    assert caught.value.status == status
    assert isinstance(caught.value, ValueError)
    assert sandbox.stats()["api_requests"] == 0


def test_bad_params_are_invalid(client: libdinero.Client) -> None:
    with pytest.raises(libdinero.InvalidArgumentError):
        client.request("GET", CONTACTS, params={"q": "\udc80"})
    # A whole number past 64 bits would arrive as 1.8446744073709552e+19: refused instead.
    with pytest.raises(libdinero.InvalidArgumentError, match="as a string"):
        client.request("GET", CONTACTS, params={"q": 2**64})
    with client.request("GET", CONTACTS, params={"q": 2**64 - 1, "pageSize": 1}) as response:
        assert "q=18446744073709551615&" in response.request


def test_a_closed_response_keeps_its_body_but_not_its_headers(client: libdinero.Client) -> None:
    response = client.request("GET", "/v1/organizations")
    response.close()
    response.close()
    assert response.closed
    assert response.status == 200 and response.json()
    with pytest.raises(libdinero.InvalidArgumentError, match="closed"):
        response.header("content-type")
    with pytest.raises(libdinero.InvalidArgumentError, match="closed"):
        response.headers


def test_a_dropped_connection_is_a_network_error(client: libdinero.Client, sandbox: Sandbox) -> None:
    sandbox.fault(kind="drop", method="POST")
    with pytest.raises(libdinero.NetworkError) as caught:
        client.request("POST", CONTACTS, json={"Name": "x"})
    assert caught.value.status in (6, 9)
    assert sandbox.route_count("POST /v1/{org}/contacts") == 1  # a POST is never repeated


def test_a_reset_is_retried_for_a_get(client: libdinero.Client, sandbox: Sandbox) -> None:
    sandbox.fault(kind="reset", count=2)
    with client.request("GET", "/v1/organizations") as response:
        assert response.status == 200
    assert sandbox.route_count("GET /v1/organizations") == 3


def test_garbage_is_a_protocol_error(sandbox: Sandbox) -> None:
    sandbox.fault(kind="garbage", count=10)
    with sandbox.connect(max_retries=0) as client:
        with pytest.raises(libdinero.ProtocolError) as caught:
            client.request("GET", "/v1/organizations")
    assert caught.value.status == _constants.STATUS_PROTOCOL


def test_a_truncated_body_is_a_protocol_error(sandbox: Sandbox) -> None:
    # A network error, as every ProtocolError is, but told apart: the answer came, cut short.
    sandbox.fault(kind="truncate", count=10)
    with sandbox.connect(max_retries=0) as client:
        with pytest.raises(libdinero.ProtocolError) as caught:
            client.request("GET", "/v1/organizations")
    assert isinstance(caught.value, libdinero.NetworkError)
    assert caught.value.status == _constants.STATUS_PROTOCOL


def test_a_slow_answer_is_a_timeout(sandbox: Sandbox) -> None:
    with sandbox.connect(timeout_ms=300, max_retries=0) as client:
        sandbox.fault(kind="delay", delay_ms=1500)
        with pytest.raises(libdinero.TimeoutError) as caught:
            client.request("GET", "/v1/organizations")
    assert caught.value.status == 7
    assert isinstance(caught.value, TimeoutError)


def test_a_huge_body_is_refused(sandbox: Sandbox) -> None:
    with sandbox.connect(max_response_bytes=10000, max_retries=0) as client:
        sandbox.fault(kind="huge", size=100000)
        with pytest.raises(libdinero.ResponseTooLargeError) as caught:
            client.request("GET", "/v1/organizations")
    assert caught.value.status == 11
    assert isinstance(caught.value, libdinero.NetworkError)


def test_a_revoked_token_is_replaced_once(client: libdinero.Client, sandbox: Sandbox) -> None:
    sandbox.admin("POST", "/tokens/revoke")
    with client.request("GET", "/v1/organizations") as response:
        assert response.status == 200
    assert sandbox.stats()["token_requests"] == 1


def test_a_failed_refresh_is_an_authentication_error(client: libdinero.Client, sandbox: Sandbox) -> None:
    sandbox.admin("POST", "/tokens/revoke")
    sandbox.fault(kind="status", status=400, target="token", count=10,
                  body='{"error":"invalid_grant"}', content_type="application/json")
    with pytest.raises(libdinero.AuthenticationError) as caught:
        client.request("GET", "/v1/organizations")
    assert caught.value.rejected
    assert_no_secret(str(caught.value), sandbox)


# -- headers, params and binary bodies: the C request builder ---------------------------------


def test_params_are_encoded_by_the_library(client: libdinero.Client, sandbox: Sandbox) -> None:
    with client.request("GET", CONTACTS, params={"queryFilter": "Name eq 'Børge'"}) as response:
        assert response.status == 200, response.text
    assert sandbox.requests()[-1]["query"] == "queryFilter=Name%20eq%20%27B%C3%B8rge%27"
    # RFC 3986: only letters, digits and -._~ stay as they are (never '+' for a space)
    client.request("GET", CONTACTS, params=[("fields", "Name,City"), ("x", "a+b/c~d&e=f")]).close()
    assert sandbox.requests()[-1]["query"] == "fields=Name%2CCity&x=a%2Bb%2Fc~d%26e%3Df"


def test_every_request_is_one_call_into_the_library(
    client: libdinero.Client, sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    from libdinero import _native

    calls: List[str] = []
    lib = _native.lib()
    names = ("dinero_request", "dinero_client_send", "dinero_request_builder_new", "dinero_client_call")
    for name in names:
        original = getattr(lib, name)

        def spy(*args: object, _original: object = original, _name: str = name) -> object:
            calls.append(_name)
            return _original(*args)  # type: ignore[operator]

        monkeypatch.setattr(lib, name, spy)
    client.request("GET", CONTACTS).close()
    client.request("GET", CONTACTS, params={}).close()
    client.get(CONTACTS, params={"skip": None})
    client.request("GET", CONTACTS, params={"fields": "Name"}).close()
    client.request("GET", CONTACTS, headers={"X-Trace": "1"}).close()
    client.request("POST", CONTACTS, data=b"{}", content_type="application/json").close()
    assert calls == ["dinero_client_call"] * 6


def test_headers_are_sent(client: libdinero.Client, sandbox: Sandbox) -> None:
    headers = {"X-Correlation-Id": "abc-123", "Accept-Language": "da-DK", "Accept": "application/json"}
    with client.request("GET", "/v1/organizations", headers=headers) as response:
        assert response.status == 200
    logged = sandbox.requests()[-1]["headers"]
    assert logged["x-correlation-id"] == "abc-123"
    assert logged["accept-language"] == "da-DK"
    assert logged["authorization"].startswith("Bearer ")  # still the library's
    client.request("GET", "/v1/organizations", headers=[("x-a", "1"), ("X-A", "2")]).close()
    assert sandbox.requests()[-1]["headers"]["x-a"] == "2"  # a later one replaces, ignoring case


def test_json_with_headers_goes_through_the_builder(client: libdinero.Client, sandbox: Sandbox) -> None:
    contact = {"Name": "Åse Ørsted", "CountryKey": "DK", "IsPerson": True, "IsMember": False, "UseCvr": False}
    with client.request("POST", CONTACTS, json=contact, headers={"X-Trace": "7"}) as response:
        assert response.status == 201, response.text
    logged = sandbox.requests()[-1]
    assert json.loads(logged["body"]) == contact and "Åse Ørsted" in logged["body"]
    assert logged["headers"]["content-type"] == "application/json"
    assert logged["headers"]["x-trace"] == "7"


def test_data_is_sent_with_its_content_type(client: libdinero.Client, sandbox: Sandbox) -> None:
    body = json.dumps({"Name": "Data Bytes", "CountryKey": "DK", "IsPerson": False, "IsMember": False,
                       "UseCvr": True}).encode()
    with client.request("POST", CONTACTS, data=body, content_type="application/json") as response:
        assert response.status == 201, response.text
    logged = sandbox.requests()[-1]
    assert logged["body"].encode() == body
    assert logged["headers"]["content-type"] == "application/json"
    # the type may come from the headers instead; bytearray and memoryview work too
    client.request("PUT", CONTACTS + "/x", data=bytearray(b"a\x00b"),
                   headers={"Content-Type": "text/plain; charset=utf-8"}).close()
    logged = sandbox.requests()[-1]
    assert logged["headers"]["content-type"] == "text/plain; charset=utf-8"
    assert logged["headers"]["content-length"] == "3"
    client.request("PUT", CONTACTS + "/x", data=memoryview(b"raw")).close()
    assert sandbox.requests()[-1]["headers"]["content-type"] == "application/octet-stream"


@pytest.mark.parametrize(
    "headers, status",
    [
        ({"Authorization": "Bearer stolen"}, 3),
        ({"authorization": "Basic eDp5"}, 3),
        ({"Host": "evil.example"}, 3),
        ({"Content-Length": "5"}, 3),
        ({"Transfer-Encoding": "chunked"}, 3),
        ({"Connection": "close"}, 3),
        ({"X-Evil": "a\r\nX-Injected: 1"}, 3),
        ({"X-Evil": "a\nb"}, 3),
        ({"X-Evil": "a\rb"}, 3),
        ({"X-Evil\r\nX-Injected": "1"}, 3),
        ({"Bad Name": "x"}, 3),
        ({"": "x"}, 3),
        ({"X-Nul": "a\0b"}, 3),
        ({"X-Surrogate": "\udc80"}, 2),
        ([("X-Ok", 5)], 3),
    ],
)
def test_bad_headers_are_refused_and_send_nothing(
    client: libdinero.Client, sandbox: Sandbox, headers: object, status: int
) -> None:
    with pytest.raises(libdinero.InvalidArgumentError) as caught:
        client.request("GET", "/v1/organizations", headers=headers)  # type: ignore[arg-type]
    assert caught.value.status == status
    assert "stolen" not in str(caught.value)
    assert sandbox.stats()["api_requests"] == 0


def test_bad_body_arguments(client: libdinero.Client, sandbox: Sandbox) -> None:
    with pytest.raises(libdinero.InvalidArgumentError, match="not both"):
        client.request("POST", CONTACTS, json={}, data=b"{}")
    with pytest.raises(libdinero.InvalidArgumentError, match="without a body"):
        client.request("GET", CONTACTS, content_type="text/plain")
    with pytest.raises(libdinero.InvalidArgumentError, match="bytes"):
        client.request("POST", CONTACTS, data="text")  # type: ignore[arg-type]
    with pytest.raises(libdinero.InvalidArgumentError):
        client.request("POST", CONTACTS, data=b"x", content_type="text/plain\r\nX: y")
    with pytest.raises(libdinero.InvalidArgumentError):
        client.request("G ET", CONTACTS, params={"a": "b"})
    with pytest.raises(libdinero.InvalidArgumentError):
        client.request("GET", CONTACTS + "?q=a b", params={"a": "b"})
    assert sandbox.stats()["api_requests"] == 0
