"""Exactly-once creates: a lost answer is settled by the GUID, never by a blind repeat."""

from __future__ import annotations

import pytest

import libdinero
from conftest import Sandbox

CONTACTS = "/v1/{organizationId}/contacts"
ERROR_WITH_BIG_NUMBERS = (
    '{"code":42,"message":"Validation error","validationErrors":{"Number":9223372036854775807},'
    '"errorMessageList":[{"Code":42,"Number":9223372036854775807,"Big":18446744073709551615}]}'
)
CONTACT = {"Name": "Åse Ørum", "CountryKey": "DK", "IsPerson": True, "IsMember": False, "UseCvr": False}


def test_a_reset_after_the_server_stored_it_still_gives_one_contact(
    client: libdinero.Client, sandbox: Sandbox
) -> None:
    sandbox.fault(kind="reset", after_processing=True, method="POST")
    guid, answer = client.create(CONTACTS, CONTACT)
    assert answer["ContactGuid"] == guid and answer["Name"] == "Åse Ørum"  # read back
    assert sandbox.stats()["created"] == {"contacts": 1}
    assert sandbox.route_count("POST /v1/{org}/contacts") == 1


def test_a_reset_before_it_was_stored_sends_it_again_once(client: libdinero.Client, sandbox: Sandbox) -> None:
    sandbox.fault(kind="reset", method="POST")
    guid, answer = client.create(CONTACTS, CONTACT)
    assert answer == {"ContactGuid": guid}
    assert sandbox.stats()["created"] == {"contacts": 1}
    assert sandbox.route_count("POST /v1/{org}/contacts") == 2


def test_a_refusal_raises_and_an_unknowable_outcome_names_the_guid(
    client: libdinero.Client, sandbox: Sandbox
) -> None:
    with pytest.raises(libdinero.ApiError) as refused:
        client.create(CONTACTS, {"Name": "Uden land"})
    assert refused.value.status == 400
    own = "7a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
    sandbox.fault(kind="reset", after_processing=True, method="POST")
    sandbox.fault(kind="status", status=503, method="GET", count=10)
    with pytest.raises(libdinero.NetworkError) as lost:
        client.create(CONTACTS, {**CONTACT, "ContactGuid": own})
    assert own in str(lost.value)
    with pytest.raises(libdinero.InvalidArgumentError):
        client.create("/v1/{organizationId}/products", {"Name": "Kaffe"})


def test_a_drafts_number_arrives_exactly_everywhere(client: libdinero.Client, sandbox: Sandbox) -> None:
    invoices = "/v1/{organizationId}/invoices"
    guid, _ = client.create(invoices, {"ProductLines": [{"Quantity": 1, "BaseAmountValue": 10}]})
    assert client.get(f"{invoices}/{guid}")["Number"] == 9223372036854775807
    drafts = client.paginate(invoices, params={"fields": "Guid,Number", "statusFilter": "Draft"})
    assert [i["Number"] for i in drafts if i["Guid"] == guid] == [9223372036854775807]
    sandbox.fault(kind="status", status=400, content_type="application/json", body=ERROR_WITH_BIG_NUMBERS)
    with pytest.raises(libdinero.ApiError) as caught:
        client.get(invoices)
    assert caught.value.validation_errors["Number"] == "9223372036854775807"  # a message: text
    assert caught.value.error_message_list[0]["Number"] == 9223372036854775807
    assert caught.value.error_message_list[0]["Big"] == 18446744073709551615
