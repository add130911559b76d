#!/usr/bin/env python3
"""files.py - the paperwork side of a personal integration, in Python, through libdinero (the
same steps as examples/c/files.c):

  1. upload a receipt to Dinero's files endpoint (multipart, at most 6 MB) and show its FileGuid
  2. list the organization's files: only those attached to a voucher, so not the fresh upload
  3. download an invoice as a PDF (Accept: application/octet-stream) and save it to disk

Run against the sandbox, from the repository root:

    make demo

By hand (with the DINERO_* variables that dinero-sandbox prints exported):

    pip install ./bindings/python
    python3 examples/python/files.py [receipt-file] [invoice.pdf]

Without a receipt file (or with an empty first argument) it uploads a small PNG made in memory
("kvittering.png"). The invoice PDF is saved to the second argument (default: invoice.pdf in
the current folder).

Environment: as examples/python/personal_integration.py (DINERO_CLIENT_ID, DINERO_CLIENT_SECRET,
DINERO_API_KEY, DINERO_ORGANIZATION_ID required; DINERO_AUTH_URL, DINERO_API_URL optional;
DINERO_LIBRARY optional).

Exit status: 0 success, 1 library or file error, 2 bad environment, 3 an unexpected HTTP status
(>= 400). The client secret, the API key and the access token are never printed.
"""

from __future__ import annotations

import os
import struct
import sys
import zlib
from typing import Any, List, Optional

import libdinero

FILES = "/v1/{organizationId}/files"
INVOICES = "/v1/{organizationId}/invoices"


def heading(step: int, title: str) -> None:
    print(f"\n== {step}. {title} ==")


def small_png(width: int = 16, height: int = 16) -> bytes:
    """A valid PNG in memory: a gray square with a darker diagonal, like a scanned slip."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = b"".join(
        b"\x00" + bytes(0x40 if x == y else 0xD0 for x in range(width)) for y in range(height)
    )
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8-bit grayscale
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def connect() -> Optional[libdinero.Client]:
    required = ("DINERO_CLIENT_ID", "DINERO_CLIENT_SECRET", "DINERO_API_KEY", "DINERO_ORGANIZATION_ID")
    missing = [name for name in required if not os.environ.get(name)]
    for name in missing:
        print(
            f"error: environment variable {name} is not set "
            "(start dinero-sandbox and export the DINERO_* variables it prints)",
            file=sys.stderr,
        )
    if missing:
        return None
    return libdinero.authenticate(
        os.environ["DINERO_CLIENT_ID"],
        os.environ["DINERO_CLIENT_SECRET"],
        os.environ["DINERO_API_KEY"],
        organization_id=os.environ["DINERO_ORGANIZATION_ID"],
        auth_url=os.environ.get("DINERO_AUTH_URL") or None,
        api_url=os.environ.get("DINERO_API_URL") or None,
    )


def main(argv: List[str]) -> int:
    receipt = argv[1] if len(argv) > 1 and argv[1] else None
    save_to = argv[2] if len(argv) > 2 and argv[2] else "invoice.pdf"
    try:
        client = connect()
    except libdinero.DineroError as error:
        print(f"error: {type(error).__name__}: {error}", file=sys.stderr)
        return 1
    if client is None:
        return 2

    with client:
        try:
            heading(1, "Upload a receipt")
            uploaded: Any
            if receipt is not None:
                print(f"uploading {receipt}")
                uploaded = client.upload_file(receipt)
            else:
                png = small_png()
                print(f"uploading a generated receipt (kvittering.png, {len(png)} bytes)")
                uploaded = client.upload_file(png, file_name="kvittering.png")
            file_guid = uploaded["FileGuid"]
            # The FileGuid is the receipt's handle: a voucher refers to the receipt by it.
            print(f"stored as FileGuid {file_guid}")

            heading(2, "The organization's files")
            # Dinero lists a file only once it is attached to a voucher, so the receipt just
            # uploaded is not among these.
            listed = 0
            for entry in client.paginate(FILES):
                listed += 1
                print(
                    f"   - {entry.get('FileName')} ({entry.get('ContentType')}, "
                    f"{entry.get('Size')} bytes)"
                )
            print(f"{listed} file(s) listed; Dinero lists the receipt once a voucher refers to it")

            heading(3, "Download an invoice as PDF")
            invoices = client.get(INVOICES, params={"fields": "Guid,Number"})
            collection = invoices.get("Collection", []) if isinstance(invoices, dict) else invoices
            if not collection:
                print("error: no invoice found", file=sys.stderr)
                return 3
            guid = collection[0]["Guid"]
            pdf = client.download(f"{INVOICES}/{guid}", save_to=save_to)
            print(f"invoice {guid}: {len(pdf)} bytes, starts with {pdf[:5].decode('ascii', 'replace')}")
            print(f"saved to {save_to}")
        except libdinero.ApiError as error:
            print(f"error: Dinero answered {error}", file=sys.stderr)
            return 3
        except libdinero.FileError as error:
            print(f"error: {error}", file=sys.stderr)
            return 1
        except libdinero.DineroError as error:
            print(f"error: {type(error).__name__}: {error}", file=sys.stderr)
            return 1

    print("\ndone")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
