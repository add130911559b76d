"""The library's log lines reach the ``logging`` module (logger ``libdinero``): levels mapped,
detail chosen at authenticate time or by ``log_level=``, never a secret, safe from threads."""

from __future__ import annotations

import gc
import io
import logging
import sys
from concurrent.futures import ThreadPoolExecutor
from typing import Any, List

import pytest

import libdinero
from conftest import Sandbox, assert_no_secret
from libdinero import _log

CONTACTS = "/v1/{organizationId}/contacts"


def lines(caplog: pytest.LogCaptureFixture, level: int = logging.NOTSET) -> List[str]:
    return [r.getMessage() for r in caplog.records if r.name == "libdinero" and r.levelno >= level]


def at(caplog: pytest.LogCaptureFixture, level: int) -> List[str]:
    return [r.getMessage() for r in caplog.records if r.name == "libdinero" and r.levelno == level]


def test_requests_retries_and_tokens_are_logged(sandbox: Sandbox, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="libdinero")
    with sandbox.connect(max_retries=2) as client:
        assert any(
            m.startswith("new token from the token endpoint (lifetime ") for m in at(caplog, logging.INFO)
        ), lines(caplog)
        caplog.clear()

        client.get(CONTACTS, params={"fields": "Name", "queryFilter": "Name eq 'secret-ish'"})
        info = at(caplog, logging.INFO)
        assert any(
            m.startswith(f"GET /v1/{sandbox.organization_id}/contacts -> 200 (attempt 1, ") and m.endswith(" ms)")
            for m in info
        ), info
        assert not any("queryFilter" in m or "secret-ish" in m for m in lines(caplog)), "the query was logged"
        caplog.clear()

        sandbox.fault(kind="status", status=503, count=1)
        with client.request("GET", "/v1/organizations") as response:
            assert response.status == 200
        warnings = at(caplog, logging.WARNING)
        assert any(
            m.startswith("GET /v1/organizations -> 503 (attempt 1, ") and "; retrying in " in m
            for m in warnings
        ), lines(caplog)
        assert any(m.startswith("GET /v1/organizations -> 200 (attempt 2, ") for m in at(caplog, logging.INFO))
        assert all(r.name == "libdinero" for r in caplog.records)


def test_token_replacement_and_failures_are_logged(sandbox: Sandbox, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="libdinero")
    with sandbox.connect(max_retries=0) as client:
        sandbox.admin("POST", "/tokens/revoke")
        client.get("/v1/organizations")
        assert "the API refused the token (401); replacing it" in at(caplog, logging.WARNING), lines(caplog)
        caplog.clear()

        sandbox.fault(kind="reset", count=1)
        with pytest.raises(libdinero.NetworkError):
            client.request("GET", "/v1/organizations")
        errors = at(caplog, logging.ERROR)
        assert any(m.startswith("GET /v1/organizations -> failed: ") for m in errors), lines(caplog)


def test_no_log_line_holds_a_secret_or_the_token(sandbox: Sandbox, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="libdinero")
    with sandbox.connect() as client:
        token = client.access_token()
        client.get(CONTACTS, params={"pageSize": 1})
        sandbox.fault(kind="status", status=503, count=1)
        client.get("/v1/organizations")
        sandbox.admin("POST", "/tokens/revoke")
        client.get("/v1/organizations")
        sandbox.admin("POST", "/tokens/expire")
        client.get("/v1/organizations")
        second_token = client.access_token()
    with pytest.raises(libdinero.AuthenticationError):
        libdinero.authenticate(
            sandbox.client_id, "sec-wrong-0123456789", sandbox.api_key, **sandbox.options()
        )
    assert len(lines(caplog)) >= 8
    text = "\n".join(lines(caplog)) + "\n" + caplog.text
    assert_no_secret(text, sandbox, token, second_token, "sec-wrong-0123456789")


def test_log_level_chooses_the_detail(sandbox: Sandbox, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="libdinero")
    with sandbox.connect(log_level=logging.WARNING) as client:
        sandbox.fault(kind="status", status=503, count=1)
        client.get("/v1/organizations")
    assert lines(caplog)
    assert not [r for r in caplog.records if r.levelno < logging.WARNING], lines(caplog)
    assert any("retrying in" in m for m in at(caplog, logging.WARNING))
    caplog.clear()

    with sandbox.connect(log_level="error", max_retries=0) as client:
        sandbox.fault(kind="status", status=503, count=1)
        client.request("GET", "/v1/organizations").close()  # a 503 answer, not retried: INFO
        sandbox.fault(kind="reset", count=1)
        with pytest.raises(libdinero.NetworkError):
            client.request("GET", "/v1/organizations")
    assert lines(caplog) and all(r.levelno == logging.ERROR for r in caplog.records), lines(caplog)
    caplog.clear()

    with sandbox.connect(log_level=logging.CRITICAL, max_retries=0) as client:
        sandbox.fault(kind="reset", count=1)
        with pytest.raises(libdinero.NetworkError):
            client.request("GET", "/v1/organizations")
    assert lines(caplog) == []

    with sandbox.connect(log_level="DEBUG") as client:
        client.get("/v1/organizations")
    assert at(caplog, logging.INFO)


def test_the_logger_level_at_authenticate_time_is_the_default(
    sandbox: Sandbox, caplog: pytest.LogCaptureFixture
) -> None:
    logger = logging.getLogger("libdinero")
    caplog.set_level(logging.WARNING, logger="libdinero")
    client = sandbox.connect()
    try:
        logger.setLevel(logging.DEBUG)  # too late for this client: it asked for WARN and up
        client.get("/v1/organizations")
        assert lines(caplog) == []
    finally:
        client.close()

    logger.setLevel(logging.CRITICAL)  # not even ERROR: no callback at all
    assert _log.max_level(None) == 0
    with sandbox.connect(max_retries=0) as client:
        logger.setLevel(logging.DEBUG)
        sandbox.fault(kind="reset", count=1)
        with pytest.raises(libdinero.NetworkError):
            client.request("GET", "/v1/organizations")
    assert lines(caplog) == []

    for level, expected in ((logging.DEBUG, 4), (logging.INFO, 3), (logging.WARNING, 2), (logging.ERROR, 1)):
        logger.setLevel(level)
        assert _log.max_level(None) == expected
        assert _log.max_level(level) == expected
        assert _log.max_level(logging.getLevelName(level).lower()) == expected
    assert _log.max_level(logging.NOTSET) == 4 and _log.max_level(logging.CRITICAL) == 0
    assert _log.max_level("warn") == 2 and _log.max_level(25) == 2


@pytest.mark.parametrize("bad", ["loud", "", True, 1.5, b"DEBUG"])
def test_a_bad_log_level_is_invalid(sandbox: Sandbox, bad: Any) -> None:
    with pytest.raises(libdinero.InvalidArgumentError, match="log_level"):
        sandbox.connect(log_level=bad)
    assert sandbox.stats()["token_requests"] == 0


def test_levels_are_mapped_and_the_callback_never_raises(
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    caplog.set_level(logging.DEBUG, logger="libdinero")
    for c_level, python_level in ((1, logging.ERROR), (2, logging.WARNING), (3, logging.INFO),
                                  (4, logging.DEBUG), (9, logging.DEBUG), (0, logging.ERROR)):
        caplog.clear()
        _log.CALLBACK(None, c_level, "línje \xff".encode("latin-1"))
        assert [(r.levelno, r.getMessage()) for r in caplog.records] == [(python_level, "l\ufffdnje \ufffd")]
    caplog.clear()
    _log.CALLBACK(None, 3, None)
    assert [r.getMessage() for r in caplog.records] == [""]

    class Broken(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            raise RuntimeError("a handler that fails")

    unraisable: List[Any] = []
    monkeypatch.setattr(sys, "unraisablehook", unraisable.append)
    handler = Broken()
    logging.getLogger("libdinero").addHandler(handler)
    try:
        _log.CALLBACK(None, 3, b"through a broken handler")
    finally:
        logging.getLogger("libdinero").removeHandler(handler)
    assert unraisable == []


def test_a_failing_handler_does_not_break_requests(
    sandbox: Sandbox, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    class Broken(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            raise RuntimeError("a handler that fails")

    unraisable: List[Any] = []
    monkeypatch.setattr(sys, "unraisablehook", unraisable.append)
    caplog.set_level(logging.DEBUG, logger="libdinero")
    handler = Broken()
    logging.getLogger("libdinero").addHandler(handler)
    try:
        with sandbox.connect() as client:
            sandbox.fault(kind="status", status=503, count=1)
            assert client.get("/v1/organizations")
    finally:
        logging.getLogger("libdinero").removeHandler(handler)
    assert unraisable == []


def test_the_callback_survives_garbage_collection(sandbox: Sandbox, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="libdinero")
    client = sandbox.connect()
    try:
        gc.collect()
        client.get("/v1/organizations")
        gc.collect()
        client.get("/v1/organizations")
    finally:
        client.close()
    assert len([m for m in at(caplog, logging.INFO) if m.startswith("GET /v1/organizations -> 200")]) == 2


def test_threads_log_concurrently(sandbox: Sandbox, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="libdinero")
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    logging.getLogger("libdinero").addHandler(handler)
    threads, per_thread = 8, 25

    def work(_: int) -> int:
        ok = 0
        for _ in range(per_thread):
            with client.request("GET", "/v1/organizations") as response:
                ok += response.status == 200
        return ok

    try:
        with sandbox.connect(max_retries=3) as client:
            sandbox.fault(kind="status", status=503, count=10)
            with ThreadPoolExecutor(threads) as pool:
                assert sum(pool.map(work, range(threads))) == threads * per_thread
    finally:
        logging.getLogger("libdinero").removeHandler(handler)
    done = [m for m in at(caplog, logging.INFO) if m.startswith("GET /v1/organizations -> 200 ")]
    retried = [m for m in at(caplog, logging.WARNING) if "-> 503" in m and "retrying in" in m]
    assert len(done) == threads * per_thread
    assert len(retried) == 10
    assert stream.getvalue().count("GET /v1/organizations -> 200 ") == threads * per_thread
    assert len({r.thread for r in caplog.records if r.getMessage() in done}) > 1
