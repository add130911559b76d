"""get / post / put / delete, ApiError, and paginate."""

from __future__ import annotations

import json
import unicodedata
from typing import Callable

import pytest

import libdinero
from conftest import Sandbox

CONTACTS = "/v1/{organizationId}/contacts"
INVOICES = "/v1/{organizationId}/invoices"


def test_create_read_update_delete(client: libdinero.Client) -> None:
    created = client.post(CONTACTS, {"Name": "Ærø Æbler", "CountryKey": "DK", "IsPerson": False,
                                     "IsMember": False, "UseCvr": True})
    guid = created["ContactGuid"]
    contact = client.get(f"{CONTACTS}/{guid}")
    assert contact["Name"] == "Ærø Æbler"
    contact["City"] = "Marstal"
    client.put(f"{CONTACTS}/{guid}", contact)
    assert client.get(f"{CONTACTS}/{guid}")["City"] == "Marstal"
    assert client.delete(f"{CONTACTS}/{guid}") is None  # 200, no body
    with pytest.raises(libdinero.ApiError):
        client.get(f"{CONTACTS}/{guid}")


def test_delete_sends_a_json_body(client: libdinero.Client) -> None:
    created = client.post(INVOICES, {"ProductLines": [{"Description": "Kaffe", "Quantity": 1, "BaseAmountValue": 10}]})
    guid = created["Guid"]
    with pytest.raises(libdinero.ApiError) as caught:
        client.delete(f"{INVOICES}/{guid}", {"Timestamp": "0000000000000001"})  # a stale one
    assert caught.value.code == 58  # so the body reached Dinero
    assert client.delete(f"{INVOICES}/{guid}", {"Timestamp": created["TimeStamp"]}) is None


def test_get_passes_params(client: libdinero.Client) -> None:
    page = client.get(CONTACTS, params={"pageSize": 1, "fields": "Name"})
    assert len(page["Collection"]) == 1 and set(page["Collection"][0]) == {"Name"}


def test_a_validation_error_is_an_api_error(client: libdinero.Client) -> None:
    with pytest.raises(libdinero.ApiError) as caught:
        client.post(CONTACTS, {"CountryKey": "DK"})
    error = caught.value
    assert isinstance(error, libdinero.DineroError)
    assert error.status == 400 and error.code == 42
    assert error.message == "Validation error"
    assert "Name" in error.validation_errors
    assert b'"code"' in error.body
    assert error.headers is not None and error.headers["content-type"].startswith("application/json")
    assert str(error).startswith("HTTP 400 (Dinero code 42): Validation error") and "Name" in str(error)


def test_an_html_404_is_an_api_error_without_a_code(client: libdinero.Client) -> None:
    with pytest.raises(libdinero.ApiError) as caught:
        client.get("/v1/{organizationId}/nothing/here/at/all")
    error = caught.value
    assert error.status == 404 and error.code is None
    assert error.message == "Not Found" and error.validation_errors == {}
    assert error.body.lstrip().startswith(b"<")


def test_errors_and_responses_name_the_request_as_sent(client: libdinero.Client) -> None:
    with pytest.raises(libdinero.ApiError) as caught:
        client.get("/v1/{organizationId}/no-such-thing", params={"q": "Name eq 'Ø'"})
    assert caught.value.request == "GET /v1/{organizationId}/no-such-thing?q=Name%20eq%20%27%C3%98%27"
    with client.request("GET", CONTACTS, params={"pageSize": 1}) as response:
        assert response.request == "GET /v1/{organizationId}/contacts?pageSize=1"
    assert libdinero.ApiError(400, b"", message="made by hand").request == ""


def test_a_plain_text_429_is_an_api_error(sandbox: Sandbox) -> None:
    quota = "API calls quota exceeded! maximum admitted 100 per 1m."
    sandbox.fault(kind="status", status=429, body=quota, content_type="text/plain", count=5)
    with sandbox.connect(max_retries=0) as client:
        with pytest.raises(libdinero.ApiError) as caught:
            client.get("/v1/organizations")
    assert caught.value.status == 429 and caught.value.code is None
    assert caught.value.message == quota


def test_a_403_with_dinero_code(sandbox: Sandbox) -> None:
    body = '{"code":48,"message":"No Pro subscription","validationErrors":{},"languageSpecificMessages":[]}'
    sandbox.fault(kind="status", status=403, body=body, content_type="application/json")
    with sandbox.connect() as client:
        with pytest.raises(libdinero.ApiError) as caught:
            client.put(CONTACTS + "/x", {})
    assert (caught.value.status, caught.value.code) == (403, 48)
    assert caught.value.message == "No Pro subscription"


def test_api_error_tolerates_odd_bodies() -> None:
    assert libdinero.ApiError.from_body(500, b"").message == "Internal Server Error"
    assert libdinero.ApiError.from_body(599, b"").message == "HTTP error"
    assert libdinero.ApiError.from_body(400, b'["x"]').message == "Bad Request"
    assert libdinero.ApiError.from_body(400, b'{"code":"42"}').code == 42
    assert libdinero.ApiError.from_body(502, b"\xff\xfe bad gateway").status == 502
    long = libdinero.ApiError.from_body(500, b"x" * 1000)
    assert len(long.message) < 300


def test_a_hand_made_api_error_takes_only_an_http_status() -> None:
    # Never wrapped on the way to the library's uint16_t: 65936 is not 400.
    for status in (65936, -1, 2**64 + 400, True, 400.0, 99, 1000):
        with pytest.raises(libdinero.InvalidArgumentError, match="HTTP status"):
            libdinero.ApiError.from_body(status, b"")  # type: ignore[arg-type]
        with pytest.raises(libdinero.InvalidArgumentError, match="HTTP status"):
            libdinero.ApiError(status, b"")  # type: ignore[arg-type]


class _LongerThanItIs(bytes):
    """A bytes that claims more bytes than its buffer holds."""

    def __len__(self) -> int:
        return 200


def test_a_body_is_read_for_its_buffers_length_not_its_len() -> None:
    error = libdinero.ApiError.from_body(400, _LongerThanItIs(b'{"message":"short"}'))
    assert error.message == "short"


def test_a_non_json_success_is_a_protocol_error(client: libdinero.Client, sandbox: Sandbox) -> None:
    sandbox.fault(kind="malformed")
    with pytest.raises(libdinero.ProtocolError) as caught:
        client.get("/v1/organizations")
    assert caught.value.status == 9


def test_paginate_yields_every_item_one_request_per_page(sandbox_with: Callable[..., Sandbox]) -> None:
    sandbox = sandbox_with("--rate-limit", "0", "--seed-contacts", "47")
    with sandbox.connect() as client:
        total = client.get(CONTACTS, params={"pageSize": 1})["Pagination"]["Result"]
        sandbox.admin("POST", "/reset-stats")
        items = list(client.paginate(CONTACTS, params={"fields": "ContactGuid,Name"}, page_size=10))
        assert len(items) == total and len({i["ContactGuid"] for i in items}) == total
        assert sandbox.route_count("GET /v1/{org}/contacts") == -(-total // 10)
        queries = [r["query"] for r in sandbox.requests()]
        assert queries[0] == "fields=ContactGuid%2CName&page=0&pageSize=10"

        # A total that is a multiple of the page size: stop at Result, no empty extra page.
        sandbox.admin("POST", "/reset-stats")
        assert len(list(client.paginate(CONTACTS, page_size=total))) == total
        assert sandbox.route_count("GET /v1/{org}/contacts") == 1


def test_paginate_replaces_page_params_and_stops_early(client: libdinero.Client, sandbox: Sandbox) -> None:
    pages = client.paginate(CONTACTS, params={"page": 7, "PageSize": 3}, page_size=1)
    first = next(pages)
    assert "ContactGuid" in first
    pages.close()
    assert sandbox.route_count("GET /v1/{org}/contacts") == 1
    assert sandbox.requests()[-1]["query"] == "page=0&pageSize=1"


def test_paginate_a_bare_array_is_one_page(client: libdinero.Client, sandbox: Sandbox) -> None:
    organizations = list(client.paginate("/v1/organizations", page_size=1))
    assert [o["Id"] for o in organizations] == [424242]
    assert sandbox.route_count("GET /v1/organizations") == 1


def test_paginate_stops_on_a_short_page_without_result(client: libdinero.Client, sandbox: Sandbox) -> None:
    full = '{"Collection":[1,2],"Pagination":{}}'
    short = '{"Collection":[3]}'
    for body in (full, short):
        sandbox.fault(kind="status", status=200, body=body, content_type="application/json")
    assert list(client.paginate(CONTACTS, page_size=2)) == [1, 2, 3]
    assert sandbox.route_count("GET /v1/{org}/contacts") == 2


def test_paginate_refuses_what_is_not_a_list(client: libdinero.Client, sandbox: Sandbox) -> None:
    sandbox.fault(kind="status", status=200, body='{"x":1}', content_type="application/json")
    with pytest.raises(libdinero.ProtocolError):
        list(client.paginate(CONTACTS))
    for size in (0, -1, 1001, 2**32 + 5):  # beyond 32 bits too: never taken modulo 2**32
        with pytest.raises(libdinero.InvalidArgumentError):
            list(client.paginate(CONTACTS, page_size=size))
    with pytest.raises(libdinero.ApiError):
        list(client.paginate("/v1/{organizationId}/nothing/here/at/all"))


def test_an_api_error_quotes_the_server_printable_and_short(sandbox: Sandbox) -> None:
    hostile = "\x1b]0;owned\x07\x1b[2J\nERROR forged line\u202e" + "x" * 5000
    sandbox.fault(kind="status", status=400, body=json.dumps({"code": 7, "message": hostile}))
    with sandbox.connect(max_retries=0) as client:
        with pytest.raises(libdinero.ApiError) as caught:
            client.get("/v1/organizations")
    text = str(caught.value)
    assert text.startswith("HTTP 400 (Dinero code 7): ]0;owned [2J ERROR forged line x"), text[:80]
    assert not any(unicodedata.category(c) == "Cc" or c == "\u202e" for c in text), text[:80]
    assert len(text) < 1100
    assert caught.value.message.startswith("]0;owned [2J ERROR forged line x")


def test_closing_the_client_ends_its_pages(sandbox_with: Callable[..., Sandbox]) -> None:
    sandbox = sandbox_with("--rate-limit", "0", "--seed-contacts", "5")
    client = sandbox.connect()
    pages = client.paginate(CONTACTS, page_size=2)
    next(pages)
    client.close()  # dinero_client_close: the pages handle is refused from now on too
    with pytest.raises(libdinero.InvalidArgumentError, match="closed"):
        list(pages)  # the rest of page 0 comes, then page 1 is refused
    assert sandbox.route_count("GET /v1/{org}/contacts") == 1
