"""Client.upload_file() and Client.download(): byte-exact round trips through the sandbox's file
archive, the 6 MB limit (checked before anything is sent), invoice PDFs saved to disk, and
FileError for local files that cannot be read or written.

These tests are about the library's upload, list and download mechanics, so this module's
sandbox lists every upload and serves it at once (--list-unattached-files,
--file-ready-delay-ms 0). Dinero is less kind: a file is listed only once attached to a voucher
and may take a second to become readable; test_dinero_s_file_timing has that."""

from __future__ import annotations

import errno
import json
import os
import struct
import urllib.request
import zlib
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List

import pytest

import libdinero
from conftest import Sandbox, assert_no_secret, start_sandbox

FILES = "/v1/{organizationId}/files"
INVOICES = "/v1/{organizationId}/invoices"
LIMIT = 6 * 1024 * 1024  # 6291456: Dinero's limit, and libdinero's


def png() -> bytes:
    """A valid 1x4 RGB PNG (its IHDR and its filter bytes hold NULs)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + bytes([y * 64, 0, 255 - y * 64]) for y in range(4))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 4, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


PDF_WITH_NULS = (
    b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Length 8 >>\nstream\n\x00\x01\x02\x00\xff\x00\r\n\x00"
    b"\nendstream\nendobj\n%%EOF\n"
)

KINDS = {
    "text": ("kvittering.txt", "Kvittering\r\nKaffe 42,00 kr\nBørge Lund æøå\n".encode("utf-8"), "text/plain"),
    "png": ("kvittering.png", png(), "image/png"),
    "pdf": ("kvittering.pdf", PDF_WITH_NULS, "application/pdf"),
}


@pytest.fixture(scope="module")
def module_sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sandbox]:
    """Replaces conftest's: the kinder file archive these mechanics tests opt into."""
    sandbox = start_sandbox(
        tmp_path_factory.mktemp("sandbox"),
        "--rate-limit", "0", "--list-unattached-files", "--file-ready-delay-ms", "0",
    )
    try:
        yield sandbox
    finally:
        sandbox.stop()


def listed(client: libdinero.Client) -> Dict[str, Dict[str, Any]]:
    return {entry["FileGuid"]: entry for entry in client.paginate(FILES)}


@pytest.mark.parametrize("source", ["bytes", "path"])
@pytest.mark.parametrize("kind", sorted(KINDS))
def test_round_trips_are_byte_exact(
    client: libdinero.Client, sandbox: Sandbox, tmp_path: Path, kind: str, source: str
) -> None:
    name, content, content_type = KINDS[kind]
    assert (b"\x00" in content) == (kind != "text")  # the PNG and the PDF hold NULs
    if source == "bytes":
        answer = client.upload_file(content, file_name=name)
    else:
        path = tmp_path / name
        path.write_bytes(content)
        answer = client.upload_file(path)  # the file's own name; the type guessed from it
    assert isinstance(answer, dict)
    guid = answer["FileGuid"]
    assert isinstance(guid, str) and len(guid) == 36

    upload = sandbox.requests()[-1]
    assert upload["method"] == "POST" and upload["path"].endswith("/files")
    assert upload["headers"]["content-type"].startswith("multipart/form-data; boundary=")

    entry = listed(client)[guid]
    assert entry["FileName"] == name
    assert entry["ContentType"] == content_type
    assert entry["Size"] == len(content)

    assert client.download(f"{FILES}/{guid}") == content
    with client.request("GET", f"{FILES}/{guid}") as response:
        assert response.status == 200 and response.body == content
        assert response.header("Content-Type") == content_type


def test_upload_names_and_types(client: libdinero.Client, tmp_path: Path) -> None:
    # bytes without a name: "file", with the extension of a recognized signature
    guid = client.upload_file(PDF_WITH_NULS)["FileGuid"]
    guid_png = client.upload_file(bytearray(png()))["FileGuid"]
    guid_raw = client.upload_file(memoryview(b"plain bytes"))["FileGuid"]
    # an explicit name and type win over the file's own
    path = tmp_path / "scan.bin"
    path.write_bytes(b"\x00\x01")
    guid_path = client.upload_file(
        str(path), file_name="Kvittering 7.pdf", content_type="application/pdf"
    )["FileGuid"]
    files = listed(client)
    assert (files[guid]["FileName"], files[guid]["ContentType"]) == ("file.pdf", "application/pdf")
    assert (files[guid_png]["FileName"], files[guid_png]["ContentType"]) == ("file.png", "image/png")
    assert files[guid_raw]["ContentType"] == "application/octet-stream"
    assert files[guid_path]["FileName"] == "Kvittering 7.pdf"
    assert files[guid_path]["ContentType"] == "application/pdf"
    assert client.download(f"{FILES}/{guid_raw}") == b"plain bytes"


def test_a_danish_file_name_survives(client: libdinero.Client, tmp_path: Path) -> None:
    guid = client.upload_file(b"%PDF-1.4\n", file_name="Kvittering Æbler 5 kr.pdf")["FileGuid"]
    path = tmp_path / "Bøger.txt"
    path.write_bytes(b"x")
    guid_path = client.upload_file(path)["FileGuid"]
    files = listed(client)
    assert files[guid]["FileName"] == "Kvittering Æbler 5 kr.pdf"
    assert files[guid]["ContentType"] == "application/pdf"
    assert (files[guid_path]["FileName"], files[guid_path]["ContentType"]) == ("Bøger.txt", "text/plain")


def test_an_empty_file_uploads(client: libdinero.Client) -> None:
    guid = client.upload_file(b"", file_name="empty.txt")["FileGuid"]
    assert client.download(f"{FILES}/{guid}") == b""


def test_exactly_six_megabytes_is_sent(client: libdinero.Client, sandbox: Sandbox, tmp_path: Path) -> None:
    content = bytes(range(256)) * (LIMIT // 256)
    assert len(content) == LIMIT
    guid = client.upload_file(content, file_name="big.bin")["FileGuid"]
    path = tmp_path / "big.pdf"
    path.write_bytes(content)
    guid_path = client.upload_file(path)["FileGuid"]
    assert sandbox.route_count("POST /v1/{org}/files") == 2
    files = listed(client)
    assert files[guid]["Size"] == files[guid_path]["Size"] == LIMIT
    assert client.download(f"{FILES}/{guid_path}") == content


def test_one_byte_more_is_refused_before_sending(
    client: libdinero.Client, sandbox: Sandbox, tmp_path: Path
) -> None:
    content = b"x" * (LIMIT + 1)
    path = tmp_path / "too-big.pdf"
    path.write_bytes(content)
    logged = len(sandbox.requests())
    for source in (content, bytearray(content), path, str(path)):
        with pytest.raises(libdinero.InvalidArgumentError) as caught:
            client.upload_file(source)
        assert caught.value.status == 3
        assert "6 MB" in str(caught.value) and "6291456" in str(caught.value)
    stats = sandbox.stats()
    assert stats["api_requests"] == 0, stats
    assert len(sandbox.requests()) == logged


def test_a_413_from_dinero_is_an_api_error(client: libdinero.Client, sandbox: Sandbox) -> None:
    # The library never sends more than 6 MB, so ask the sandbox directly for its answer to a
    # too large multipart body (through request(), whose data= goes through the C builder) ...
    boundary = "b0undary"
    body = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.pdf"\r\n'
        "Content-Type: application/pdf\r\n\r\n"
    ).encode() + b"\x00" * (LIMIT + 1) + f"\r\n--{boundary}--\r\n".encode()
    with client.request(
        "POST", FILES, data=body, content_type=f"multipart/form-data; boundary={boundary}"
    ) as response:
        assert response.status == 413, response.text
        assert response.json()["code"] == 43
        answer = response.body
    # ... and check that upload_file turns that answer into an ApiError.
    sandbox.fault(kind="status", status=413, body=answer.decode(), content_type="application/json")
    with pytest.raises(libdinero.ApiError) as caught:
        client.upload_file(b"%PDF-1.4 small", file_name="small.pdf")
    assert caught.value.status == 413 and caught.value.code == 43
    assert sandbox.route_count("POST /v1/{org}/files") >= 1


def test_a_missing_file_is_a_file_error(client: libdinero.Client, sandbox: Sandbox, tmp_path: Path) -> None:
    missing = tmp_path / "no-such-receipt.pdf"
    with pytest.raises(libdinero.FileError) as caught:
        client.upload_file(missing)
    error = caught.value
    assert isinstance(error, OSError) and isinstance(error, libdinero.DineroError)
    assert error.status == 12
    assert error.errno == errno.ENOENT
    assert error.filename == str(missing)
    assert str(missing) in str(error)
    assert sandbox.stats()["api_requests"] == 0
    with pytest.raises(OSError):
        client.upload_file(str(missing))


class _LongerThanItIs(bytes):
    """A bytes that claims more bytes than its buffer holds."""

    def __len__(self) -> int:
        return 200


def test_an_upload_sends_its_buffer_whatever_len_says(client: libdinero.Client) -> None:
    content = _LongerThanItIs(b"%PDF-1.4 tiny")
    guid = client.upload_file(content)["FileGuid"]
    assert client.download(f"{FILES}/{guid}") == b"%PDF-1.4 tiny"


def test_bad_upload_arguments(client: libdinero.Client, sandbox: Sandbox) -> None:
    calls: List[Callable[[], Any]] = [
        lambda: client.upload_file(42),  # type: ignore[arg-type]
        lambda: client.upload_file(b"x", file_name='a"b.txt'),
        lambda: client.upload_file(b"x", file_name="../x.txt"),
        lambda: client.upload_file(b"x", file_name="a\0b"),
        lambda: client.upload_file(b"x", file_name="a.txt", content_type="text/plain\r\nX: y"),
    ]
    for call in calls:
        with pytest.raises(libdinero.InvalidArgumentError):
            call()
    assert sandbox.stats()["api_requests"] == 0


def first_invoice(client: libdinero.Client) -> str:
    invoices = client.get(INVOICES)
    collection = invoices["Collection"] if isinstance(invoices, dict) else invoices
    assert collection, "the sandbox has no invoice"
    guid: str = collection[0]["Guid"]
    return guid


def served(sandbox: Sandbox, client: libdinero.Client, path: str, accept: str) -> bytes:
    """The bytes the sandbox serves for `path`, fetched without libdinero (urllib)."""
    url = sandbox.api_url + path.replace("{organizationId}", sandbox.organization_id)
    request = urllib.request.Request(
        url, headers={"Authorization": f"Bearer {client.access_token()}", "Accept": accept}
    )
    with urllib.request.urlopen(request, timeout=10) as answer:
        data: bytes = answer.read()
    return data


def test_an_invoice_pdf_is_saved_to_disk(client: libdinero.Client, sandbox: Sandbox, tmp_path: Path) -> None:
    path = f"{INVOICES}/{first_invoice(client)}"
    target = tmp_path / "invoice.pdf"
    target.write_bytes(b"an older file, replaced atomically")
    pdf = client.download(path, save_to=target)
    assert pdf.startswith(b"%PDF-")
    assert target.read_bytes() == pdf
    assert pdf == served(sandbox, client, path, "application/octet-stream")
    ours = [r for r in sandbox.requests() if r["headers"].get("user-agent", "").startswith("libdinero")]
    assert ours[-1]["headers"]["accept"] == "application/octet-stream"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["invoice.pdf"]  # no temporary file left
    # without save_to: the same bytes; with a str path: the same file
    assert client.download(path) == pdf
    client.download(path, save_to=str(tmp_path / "again.pdf"))
    assert (tmp_path / "again.pdf").read_bytes() == pdf
    # the same invoice as JSON, when asked for
    as_json = json.loads(client.download(path, accept="application/json"))
    assert as_json["Guid"] == path.rsplit("/", 1)[1]


def test_a_response_saves_itself(client: libdinero.Client, tmp_path: Path) -> None:
    path = f"{INVOICES}/{first_invoice(client)}"
    with client.request("GET", path, headers={"Accept": "application/octet-stream"}) as response:
        assert response.status == 200
        response.save(tmp_path / "invoice.pdf")
        assert (tmp_path / "invoice.pdf").read_bytes() == response.body
        with pytest.raises(libdinero.FileError) as caught:
            response.save(tmp_path / "missing" / "invoice.pdf")
        assert caught.value.errno == errno.ENOENT
    with pytest.raises(libdinero.InvalidArgumentError, match="closed"):
        response.save(tmp_path / "late.pdf")


def test_save_to_a_missing_folder_is_a_file_error(
    client: libdinero.Client, sandbox: Sandbox, tmp_path: Path
) -> None:
    path = f"{INVOICES}/{first_invoice(client)}"
    target = tmp_path / "no" / "such" / "folder" / "invoice.pdf"
    with pytest.raises(libdinero.FileError) as caught:
        client.download(path, save_to=target)
    error = caught.value
    assert isinstance(error, OSError) and error.status == 12
    assert error.errno == errno.ENOENT and error.filename == str(target)
    assert not (tmp_path / "no").exists()
    assert_no_secret(str(error), sandbox)


def test_dinero_s_file_timing(sandbox_with: Callable[..., Sandbox]) -> None:
    # The sandbox's defaults play Dinero's archive: an upload is not listed (no voucher refers
    # to it) and answers 404 until its delay has passed. The delay here is longer than any run,
    # so the 404 does not depend on the machine's speed; the config switch then ends it.
    sandbox = sandbox_with("--file-ready-delay-ms", "3600000")
    with sandbox.connect() as client:
        guid = client.upload_file(b"%PDF-1.4 fresh", file_name="fresh.pdf")["FileGuid"]
        assert list(client.paginate(FILES)) == []
        with pytest.raises(libdinero.ApiError) as caught:
            client.download(f"{FILES}/{guid}")
        assert (caught.value.status, caught.value.code) == (404, 40)
        sandbox.admin("POST", "/config", {"file_ready_delay_ms": 0})
        assert client.download(f"{FILES}/{guid}") == b"%PDF-1.4 fresh"
        assert list(client.paginate(FILES)) == [], "readable is not attached to a voucher"


def test_download_errors_are_api_errors(client: libdinero.Client, tmp_path: Path) -> None:
    target = tmp_path / "invoice.pdf"
    with pytest.raises(libdinero.ApiError) as caught:
        client.download(f"{FILES}/00000000-0000-0000-0000-000000000000", save_to=target)
    assert caught.value.status == 404
    assert not target.exists()  # nothing is written for an error
    with pytest.raises(libdinero.InvalidArgumentError):
        client.download(f"{FILES}/x", save_to=42)  # type: ignore[arg-type]
    with pytest.raises(libdinero.InvalidArgumentError):
        client.download(f"{FILES}/x", accept="application/pdf\r\nX-Evil: 1")


def test_download_params_are_encoded_by_the_library(client: libdinero.Client, sandbox: Sandbox) -> None:
    client.download(INVOICES, accept="application/json", params={"fields": "Guid,Number"})
    assert sandbox.requests()[-1]["query"] == "fields=Guid%2CNumber"


def files_listed_names(client: libdinero.Client) -> List[str]:
    return [entry["FileName"] for entry in client.paginate(FILES)]


def test_uploads_from_threads(client: libdinero.Client) -> None:
    from concurrent.futures import ThreadPoolExecutor

    contents = [os.urandom(1000) + bytes([i]) for i in range(8)]
    with ThreadPoolExecutor(4) as pool:
        guids = list(
            pool.map(lambda c: client.upload_file(c[1], file_name=f"t{c[0]}.bin")["FileGuid"], enumerate(contents))
        )
    for guid, content in zip(guids, contents):
        assert client.download(f"{FILES}/{guid}") == content
    assert {f"t{i}.bin" for i in range(8)} <= set(files_listed_names(client))
