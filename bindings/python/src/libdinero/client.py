"""Client and authenticate(): one organization's connection to Dinero."""

from __future__ import annotations

import ctypes
import json as _json
import threading
from typing import TYPE_CHECKING, Any, Generator, List, Mapping, Optional

from . import _log, _native, errors
from ._convert import OptionValue, Params, cstr, json_body, option_value, path_with_params
from ._handle import NativeHandle
from .errors import ApiError, InvalidArgumentError, ProtocolError
from .response import Response

if TYPE_CHECKING:
    ClientPointer = ctypes._Pointer[_native.dinero_client]

__all__ = ["Client", "authenticate"]


def authenticate(
    client_id: str,
    client_secret: str,
    api_key: str,
    *,
    log_level: Optional[_log.LogLevel] = None,
    **options: OptionValue,
) -> Client:
    """Exchanges the credentials for an access token now (bad credentials fail here, with
    ``AuthenticationError``) and returns a client that keeps the token valid from then on.

    ``options`` are the C option keys as keyword arguments: ``organization_id``, ``auth_url``,
    ``api_url``, ``timeout_ms``, ``connect_timeout_ms``, ``max_retries``,
    ``rate_limit_per_minute``, ``rate_limit_window_ms``, ``token_cache``, ``user_agent``,
    ``ca_file``, ``scope``, ... with values as str, int, float, bool or a path; None leaves the
    default. An unknown key or a bad value is an ``InvalidArgumentError`` naming the valid ones.

    The client's log lines (one per request attempt and per token event; never a secret or a
    token) go to ``logging.getLogger("libdinero")``, at the detail that logger is enabled for
    now (``logging.DEBUG`` gives everything; the default WARNING gives retries and failures).
    ``log_level`` (``logging.INFO``, ``"DEBUG"``, ...) chooses the detail instead; a level above
    ERROR (``logging.CRITICAL``) turns the client's logging off.
    """
    arguments = (
        cstr(client_id, "client_id"),
        cstr(client_secret, "client_secret"),
        cstr(api_key, "api_key"),
    )
    settings = []
    for key, value in options.items():
        text = option_value(key, value)
        if text is not None:
            settings.append((cstr(key, "option name"), cstr(text, f"option {key}")))
    max_level = _log.max_level(log_level)
    lib = _native.lib()
    handle = lib.dinero_options_new()
    if not handle:
        raise errors.from_status(_native.STATUS_PANIC)
    try:
        for key_bytes, value_bytes in settings:
            errors.check(lib.dinero_options_set(handle, key_bytes, value_bytes))
        if max_level:
            # _log.CALLBACK lives as long as the process, so it outlives every client.
            errors.check(
                lib.dinero_options_set_log_callback(handle, _log.CALLBACK, None, max_level)
            )
        pointer = _native.ClientPtr()
        errors.check(lib.dinero_authenticate(*arguments, handle, ctypes.byref(pointer)))
    finally:
        lib.dinero_options_free(handle)
    return Client._adopt(pointer)


class Client(NativeHandle):
    """One organization's connection: credentials, a token kept valid, a connection pool and a
    rate limit. Made by :func:`authenticate`.

    Share one client between threads: every request is one call into the library, made with the
    GIL released, so requests really run in parallel, and a token refresh happens once. ``close()``
    waits for requests still running on other threads, then frees the client; any use after
    that raises ``InvalidArgumentError``.
    """

    def __init__(self) -> None:
        raise TypeError("use libdinero.authenticate(...) to make a Client")

    @classmethod
    def _adopt(cls, pointer: ClientPointer) -> Client:
        self = cls.__new__(cls)
        self._pointer = pointer
        self._in_flight = 0
        self._idle = threading.Condition(threading.Lock())
        return self

    _pointer: Optional[ClientPointer]
    _in_flight: int
    _idle: threading.Condition

    # -- the one primitive ------------------------------------------------------------------

    def request(
        self,
        method: str,
        path: str,
        json: Any = None,
        params: Params = None,
    ) -> Response:
        """Sends one request and returns the answer, whatever its status code (4xx and 5xx
        included). ``path`` is relative to ``api_url`` and may contain ``{organizationId}``;
        ``params`` are added as a query string; ``json`` (if not None) is sent as the JSON body.
        Raises ``NetworkError``, ``TimeoutError``, ``AuthenticationError`` (token refresh
        failed) or ``InvalidArgumentError`` when no answer could be had."""
        method_bytes = cstr(method, "method")
        cstr(path, "path")  # checked on its own first, so a bad type is named as the path's
        path_bytes = cstr(path_with_params(path, params), "path")
        body = None if json is None else json_body(json)
        out = _native.ResponsePtr()
        pointer = self._enter()
        try:
            status = _native.lib().dinero_request(
                pointer, method_bytes, path_bytes, body, ctypes.byref(out)
            )
            if status != _native.STATUS_OK:
                raise errors.from_status(status)  # reads this thread's last error at once
        finally:
            self._leave()
        return Response(out)

    # -- JSON helpers -----------------------------------------------------------------------

    def get(self, path: str, params: Params = None) -> Any:
        """GET and decode the JSON answer (None for an empty body); ``ApiError`` for >= 400."""
        return self._json_call("GET", path, None, params)

    def post(self, path: str, json: Any = None, params: Params = None) -> Any:
        """POST ``json`` and decode the answer (None for an empty body); ``ApiError`` for >= 400."""
        return self._json_call("POST", path, json, params)

    def put(self, path: str, json: Any = None, params: Params = None) -> Any:
        """PUT ``json`` and decode the answer (None for an empty body); ``ApiError`` for >= 400."""
        return self._json_call("PUT", path, json, params)

    def delete(self, path: str, json: Any = None, params: Params = None) -> Any:
        """DELETE (Dinero wants the entity's ``Timestamp`` in the body for some resources) and
        decode the answer (None for an empty body); ``ApiError`` for >= 400."""
        return self._json_call("DELETE", path, json, params)

    def paginate(
        self, path: str, params: Params = None, page_size: int = 100
    ) -> Generator[Any, None, None]:
        """Yields every item of a Dinero list, one request per page (``page`` from 0,
        ``pageSize`` = ``page_size``). Stops on a short page or when ``Pagination.Result`` is
        reached. An endpoint answering a bare array is one page."""
        if isinstance(page_size, bool) or not isinstance(page_size, int) or page_size < 1:
            raise InvalidArgumentError(
                "page_size must be a positive int", _native.STATUS_INVALID_ARGUMENT
            )
        base: List[Any] = [
            (k, v)
            for k, v in (params.items() if isinstance(params, Mapping) else (params or []))
            if str(k).lower() not in ("page", "pagesize")
        ]
        page = 0
        while True:
            answer = self.get(path, base + [("page", page), ("pageSize", page_size)])
            if isinstance(answer, list):
                yield from answer
                return
            if not isinstance(answer, dict) or not isinstance(answer.get("Collection"), list):
                raise ProtocolError(
                    "expected a Dinero list ({\"Collection\": [...], \"Pagination\": {...}}) "
                    f"or an array from {path}",
                    _native.STATUS_PROTOCOL,
                )
            items: List[Any] = answer["Collection"]
            yield from items
            total = _result_count(answer.get("Pagination"))
            if len(items) < page_size or (total is not None and (page + 1) * page_size >= total):
                return
            page += 1

    # -- token ------------------------------------------------------------------------------

    def access_token(self) -> str:
        """A currently valid access token (refreshed first if due), for your own HTTP calls.
        Treat it as a secret."""
        token = _native.OwnedString()
        pointer = self._enter()
        try:
            status = _native.lib().dinero_client_access_token(pointer, ctypes.byref(token))
            if status != _native.STATUS_OK:
                raise errors.from_status(status)
        finally:
            self._leave()
        try:
            return ctypes.string_at(token).decode("utf-8")
        finally:
            _native.lib().dinero_string_free(token)

    # -- lifetime ---------------------------------------------------------------------------

    @property
    def closed(self) -> bool:
        return getattr(self, "_pointer", None) is None

    def close(self) -> None:
        """Waits for requests still running on other threads, then frees the client (its token
        and credentials are wiped). Idempotent."""
        idle = getattr(self, "_idle", None)
        if idle is None:
            return
        with idle:
            pointer, self._pointer = self._pointer, None
            while self._in_flight:
                idle.wait()
        if pointer is not None:
            _native.lib().dinero_client_free(pointer)

    def _enter(self) -> ClientPointer:
        with self._idle:
            if self._pointer is None:
                raise InvalidArgumentError("the client is closed", _native.STATUS_NULL_ARGUMENT)
            self._in_flight += 1
            return self._pointer

    def _leave(self) -> None:
        with self._idle:
            self._in_flight -= 1
            if not self._in_flight:
                self._idle.notify_all()

    def _json_call(self, method: str, path: str, json: Any, params: Params) -> Any:
        with self.request(method, path, json=json, params=params) as response:
            if response.status >= 400:
                raise ApiError.from_body(response.status, response.body, response.headers)
            if not response.body.strip():
                return None
            try:
                return _json.loads(response.body.decode("utf-8"))
            except ValueError:
                raise ProtocolError(
                    f"{method} {path} answered HTTP {response.status} with a body that is not JSON",
                    _native.STATUS_PROTOCOL,
                ) from None

    def __repr__(self) -> str:
        return f"<libdinero.Client {'closed' if self.closed else 'open'}>"


def _result_count(pagination: Any) -> Optional[int]:
    if isinstance(pagination, dict):
        result = pagination.get("Result")
        if isinstance(result, int) and not isinstance(result, bool):
            return result
    return None
