"""A long loop keeps memory flat: responses, tokens, errors, option sets and request builders
(the params below go through one; so do refused headers and uploads) are all freed; and an
object that owns a native handle cannot be copied (both would free it)."""

from __future__ import annotations

import copy
import os
import resource
from concurrent.futures import ThreadPoolExecutor

import pytest

import libdinero
from conftest import Sandbox

REQUESTS = int(os.environ.get("DINERO_MEMORY_REQUESTS", "20000"))
WARM_UP = 1000
THREADS = 4
BOUND_MIB = 16.0


def rss_mib() -> float:
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    except OSError:  # not Linux: the peak is the best there is
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def work(client: libdinero.Client, count: int) -> None:
    for i in range(count):
        with client.request("GET", "/v1/{organizationId}/contacts", params={"pageSize": 2}) as r:
            assert r.status == 200
            r.header("Content-Type")
            r.json()
        if i % 50 == 0:
            client.access_token()
            try:
                client.get("/v1/{organizationId}/nothing/here/at/all")
            except libdinero.ApiError:
                pass
            try:
                client.request("FETCH", "/x")
            except libdinero.InvalidArgumentError:
                pass
            try:
                client.request("GET", "/v1/organizations", headers={"Authorization": "x"})
            except libdinero.InvalidArgumentError:
                pass
            client.upload_file(b"%PDF-1.4\n\x00" * 100, file_name="memory.pdf")


def test_memory_stays_flat(sandbox: Sandbox, capsys: pytest.CaptureFixture[str]) -> None:
    with sandbox.connect() as client:
        work(client, WARM_UP)
        before = rss_mib()
        per_thread = REQUESTS // THREADS
        with ThreadPoolExecutor(THREADS) as pool:
            for future in [pool.submit(work, client, per_thread) for _ in range(THREADS)]:
                future.result()
        after = rss_mib()
    growth = after - before
    with capsys.disabled():
        print(
            f"\n[memory] {per_thread * THREADS} requests on {THREADS} threads after {WARM_UP} "
            f"warm-up: RSS {before:.1f} -> {after:.1f} MiB ({growth:+.2f} MiB)"
        )
    assert growth < BOUND_MIB, f"RSS grew {growth:.1f} MiB over {REQUESTS} requests"


def test_objects_that_own_a_native_handle_cannot_be_copied(sandbox: Sandbox) -> None:
    client = sandbox.connect()
    response = client.request("GET", "/v1/organizations")
    for owner in (client, response):
        for duplicate in (copy.copy, copy.deepcopy):
            with pytest.raises(TypeError, match="cannot be copied"):
                duplicate(owner)
    response.close()
    client.close()
