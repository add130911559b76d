"""Client and authenticate(): one organization's connection to Dinero."""

from __future__ import annotations

import contextlib
import ctypes
import json as _json
import os
from typing import (
    TYPE_CHECKING, Any, Callable, Generator, Iterator, List, Mapping, Optional, Tuple, Union
)

from . import _constants, _interrupt, _log, _native, errors
from ._convert import (
    Bytes,
    HeaderArgs,
    OptionValue,
    OrganizationId,
    Params,
    byte_buffer,
    cstr,
    file_path,
    json_text,
    options_json,
    request_spec,
)
from ._handle import NativeHandle
from .errors import InvalidArgumentError
from .response import Response

if TYPE_CHECKING:
    ClientPointer = ctypes._Pointer[_native.dinero_client]

FilePath = Union[str, "os.PathLike[str]"]

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
    credentials, problem = Credentials.hold(
        client_id=client_id, client_secret=client_secret, api_key=api_key
    )
    # Out of this frame: a traceback that shows its frames' variables (traceback's
    # capture_locals, pytest --showlocals, error trackers) must not show them.
    del client_secret, api_key
    if problem is not None:
        raise problem
    return open_client("dinero_authenticate", credentials, options, log_level)


def open_client(
    function: str,
    credentials: Credentials,
    options: Mapping[str, OptionValue],
    log_level: Optional[_log.LogLevel],
    on_refresh_token: Optional[Callable[[str], None]] = None,
) -> Client:
    """A client from ``function`` (dinero_authenticate or a dinero_connect_authenticate*),
    given the credentials, then the options, then the out-parameter."""
    max_level = _log.max_level(log_level)
    refresh = None if on_refresh_token is None else _log.refresh_token_callback(on_refresh_token)
    lib = _native.lib()
    with options_handle(options) as handle:
        # Ctrl-C acts during the library's long waits (_interrupt.CALLBACK lives forever too).
        if _interrupt.CALLBACK is not None:
            errors.check(lib.dinero_options_set_interrupt_callback(handle, _interrupt.CALLBACK, None))
        if max_level:
            # _log.CALLBACK lives as long as the process, so it outlives every client.
            errors.check(
                lib.dinero_options_set_log_callback(handle, _log.CALLBACK, None, max_level)
            )
        if refresh is not None:
            errors.check(lib.dinero_options_set_refresh_token_callback(handle, refresh, None))
        pointer = _native.ClientPtr()
        function_ = getattr(lib, function)
        errors.check(function_(*credentials.arguments, handle, ctypes.byref(pointer)))
    client = Client._adopt(pointer)
    client._refresh_callback = refresh  # called by the library for as long as the client lives
    return client


@contextlib.contextmanager
def options_handle(options: Mapping[str, OptionValue]) -> Iterator[Any]:
    """A ``dinero_options`` holding ``options``, for the duration of a ``with`` block."""
    settings = options_json(options)
    lib = _native.lib()
    handle = lib.dinero_options_new()
    if not handle:
        raise errors.from_status(_constants.STATUS_PANIC)
    try:
        errors.check(lib.dinero_options_set_json(handle, settings))
        yield handle
    finally:
        lib.dinero_options_free(handle)


class Credentials:
    """Secret arguments as the C functions take them; repr() never shows them."""

    __slots__ = ("arguments",)

    def __init__(self, arguments: Tuple[bytes, ...]) -> None:
        self.arguments = arguments

    def __repr__(self) -> str:
        return "<libdinero credentials: [redacted]>"

    @classmethod
    def hold(cls, **values: object) -> Tuple[Credentials, Optional[errors.DineroError]]:
        """The arguments (each named for messages), or the reason they cannot be sent. That
        reason is handed back, not raised from here: a traceback through this frame or cstr's
        would carry their variables, the secrets among them."""
        try:
            arguments = tuple(cstr(value, name) for name, value in values.items())
        except errors.DineroError as error:
            return cls(()), error.with_traceback(None)
        return cls(arguments), None


class Client(NativeHandle):
    """One organization's connection: credentials, a token kept valid, a connection pool and a
    rate limit. Made by :func:`authenticate`.

    Share one client between threads: every request is one call into the library, made with the
    GIL released, so requests really run in parallel, and a token refresh happens once. ``close()``
    waits for requests still running on other threads, then wipes the client's secrets; any use
    after that raises ``InvalidArgumentError`` (``dinero_client_close``: the library keeps that
    count, not the binding). The native handle is freed with the object.
    """

    def __init__(self) -> None:
        raise TypeError("use libdinero.authenticate(...) to make a Client")

    @classmethod
    def _adopt(cls, pointer: ClientPointer) -> Client:
        self = cls.__new__(cls)
        self._pointer = pointer
        self._closed = False
        return self

    _pointer: Optional[ClientPointer]
    _closed: bool
    _refresh_callback: Any

    # -- the one primitive ------------------------------------------------------------------

    def request(
        self,
        method: str,
        path: str,
        json: Any = None,
        params: Params = None,
        headers: HeaderArgs = None,
        data: Optional[Bytes] = None,
        content_type: Optional[str] = None,
        organization_id: OrganizationId = None,
    ) -> Response:
        """Sends one request and returns the answer, whatever its status code (4xx and 5xx
        included). ``path`` is relative to ``api_url`` and may contain ``{organizationId}``;
        ``params`` are added as a query string, percent-encoded by the library; ``json`` (if
        not None) is sent as the JSON body, ``data`` (bytes) as a binary body of
        ``content_type`` (default ``application/octet-stream``); ``headers`` (a mapping or a
        list of pairs) are sent as given, except that Authorization, Host, Content-Length,
        Transfer-Encoding and Connection belong to the library and are refused, as are values
        with CR or LF. ``content_type`` (or a Content-Type in ``headers``) is the body's type.
        ``organization_id`` fills ``{organizationId}`` for this request only (a Visma Connect
        token reaches several; see ``organizations()``), instead of the client's option.
        Raises ``NetworkError``, ``TimeoutError``, ``AuthenticationError`` (token refresh
        failed; ``LoginRequiredError`` when the user must sign in again) or
        ``InvalidArgumentError`` (nothing was sent) when no answer could be had."""
        body = b"" if data is None else byte_buffer(data, "data")
        arguments = (
            cstr(method, "method"),
            cstr(path, "path"),
            request_spec(json, params, headers, data, content_type, organization_id),
            _native.bytes_pointer(body),
            len(body),
        )
        out = _native.ResponsePtr()
        errors.check(_native.lib().dinero_client_call(self._pointer, *arguments, ctypes.byref(out)))
        return Response(out)

    # -- files ------------------------------------------------------------------------------

    def upload_file(
        self,
        path_or_bytes: Union[FilePath, Bytes],
        file_name: Optional[str] = None,
        content_type: Optional[str] = None,
    ) -> Any:
        """Uploads a receipt or attachment to Dinero's file archive (``POST
        /v1/{organizationId}/files``, multipart) and returns Dinero's decoded JSON answer
        (``{"FileGuid": ...}``).

        ``path_or_bytes`` is a path (``str`` or ``os.PathLike``) or the content itself
        (``bytes``, ``bytearray``, ``memoryview``). ``file_name`` defaults to the file's own
        name, or for bytes to ``file`` with the extension of a recognized PDF, PNG, JPEG or GIF;
        ``content_type`` defaults to a guess from the name (pdf, png, jpeg, ...). Dinero takes at
        most 6 MB (6291456 bytes): more is ``InvalidArgumentError`` before anything is read or
        sent. ``FileError`` if the file cannot be read; ``ApiError`` for an HTTP status >= 400
        (e.g. 413); ``ProtocolError`` for an OK answer that is neither a JSON object nor empty
        (None); the upload is a POST, so it is never repeated once it may have arrived."""
        name_bytes = None if file_name is None else cstr(file_name, "file_name")
        type_bytes = None if content_type is None else cstr(content_type, "content_type")
        lib = _native.lib()
        out = _native.ResponsePtr()
        if isinstance(path_or_bytes, (bytes, bytearray, memoryview)):
            content = byte_buffer(path_or_bytes, "path_or_bytes")
            status = lib.dinero_client_upload_bytes(
                self._pointer, _native.bytes_pointer(content), len(content), name_bytes, type_bytes,
                ctypes.byref(out),
            )
        else:
            status = lib.dinero_client_upload_file(
                self._pointer, file_path(path_or_bytes, "path_or_bytes"), name_bytes, type_bytes,
                ctypes.byref(out),
            )
        if status != _constants.STATUS_OK:
            raise errors.with_filename(errors.from_status(status), path_or_bytes)
        return _decoded(Response(out))

    def download(
        self,
        path: str,
        accept: str = "application/octet-stream",
        params: Params = None,
        save_to: Optional[FilePath] = None,
        organization_id: OrganizationId = None,
    ) -> bytes:
        """GETs ``path`` with ``Accept: accept`` and returns the body, byte-exact: an invoice's
        PDF (``/v1/{organizationId}/invoices/{guid}``), or a stored file where the server has a
        route for it (``/v1/{organizationId}/files/{guid}`` is the sandbox's; Dinero documents
        none). ``params`` as for ``request``.

        With ``save_to`` (a path) the body is also written there by the library, atomically
        (a temporary file beside it, then a rename), and still returned. ``ApiError`` for an
        HTTP status >= 400 (nothing is written); ``FileError`` when ``save_to`` cannot be
        written (e.g. its folder does not exist). ``organization_id`` as for ``request``."""
        if save_to is not None:
            file_path(save_to, "save_to")  # a bad type fails before the request is sent
        with self.request(
            "GET", path, params=params, headers={"Accept": accept}, organization_id=organization_id
        ) as response:
            if not response.ok:
                raise response._api_error()
            if save_to is not None:
                response.save(save_to)
            return response.body

    # -- JSON helpers -----------------------------------------------------------------------

    # ``organization_id`` as for ``request``.

    def get(self, path: str, params: Params = None, organization_id: OrganizationId = None) -> Any:
        """GET and decode the JSON answer (None for an empty body); ``ApiError`` for >= 400."""
        return self._json_call("GET", path, None, params, organization_id)

    def post(self, path: str, json: Any = None, params: Params = None,
             organization_id: OrganizationId = None) -> Any:
        """POST ``json`` and decode the answer (None for an empty body); ``ApiError`` for >= 400."""
        return self._json_call("POST", path, json, params, organization_id)

    def put(self, path: str, json: Any = None, params: Params = None,
            organization_id: OrganizationId = None) -> Any:
        """PUT ``json`` and decode the answer (None for an empty body); ``ApiError`` for >= 400."""
        return self._json_call("PUT", path, json, params, organization_id)

    def delete(self, path: str, json: Any = None, params: Params = None,
               organization_id: OrganizationId = None) -> Any:
        """DELETE (Dinero wants the entity's ``Timestamp`` in the body for some resources) and
        decode the answer (None for an empty body); ``ApiError`` for >= 400."""
        return self._json_call("DELETE", path, json, params, organization_id)

    def organizations(self) -> Any:
        """The organizations the client's token reaches (``dinero_client_organizations``):
        ``[{"Id": ..., "Name": ..., "IsPro": ...}]``; one for an API key, any number for a
        Visma Connect user, who picks one per client or per request (``organization_id``).
        ``ProtocolError`` for an OK answer that is not a JSON list."""
        out = _native.ResponsePtr()
        errors.check(_native.lib().dinero_client_organizations(self._pointer, ctypes.byref(out)))
        return _decoded(Response(out))

    def paginate(
        self, path: str, params: Params = None, page_size: int = _constants.MAX_PAGE_SIZE,
        organization_id: OrganizationId = None,
    ) -> Generator[Any, None, None]:
        """Yields every item of a Dinero list, paged by the library (``page`` from 0,
        ``pageSize`` = ``page_size``, 1 to 1000: the default, Dinero's maximum, costs the fewest
        requests under the rate limit). ``params`` are sent with every page (a ``page`` or
        ``pageSize`` among them is replaced). An endpoint answering a bare array is one page;
        ``ApiError`` for an error answer, ``ProtocolError`` for one that is not a list.
        Without a ``fields`` param Dinero answers a few properties per item only (contacts:
        Name, ContactGuid)."""
        if isinstance(page_size, bool) or not isinstance(page_size, int):
            raise InvalidArgumentError(
                "page_size must be an int", _constants.STATUS_INVALID_ARGUMENT
            )
        lib = _native.lib()
        pages = _native.PagesPtr()
        spec = request_spec(None, params, None, None, None, organization_id)
        # Clamped, not wrapped modulo 2**32 by ctypes: the library refuses what is out of range.
        size = max(0, min(page_size, 0xFFFFFFFF))
        errors.check(lib.dinero_pages_new_with(
            self._pointer, cstr(path, "path"), spec, size, ctypes.byref(pages)
        ))
        try:
            while True:
                out = _native.ResponsePtr()
                # Closing the client ends the pages too (the library refuses the next one).
                errors.check(lib.dinero_pages_next(pages, ctypes.byref(out)))
                if not out:
                    return
                items: List[Any] = _decoded(Response(out))
                yield from items
        finally:
            lib.dinero_pages_free(pages)

    # -- token ------------------------------------------------------------------------------

    def create(self, path: str, json: Any) -> Tuple[str, Any]:
        """Creates ``json`` in the collection ``path`` exactly once: contacts
        (``/v1/{organizationId}/contacts``, id ``ContactGuid``), invoices or credit notes
        (``Guid``). The body gets a fresh GUID unless it carries one; when the answer is lost
        (reset, timeout, cut short, 5xx) the library looks the GUID up before sending again.
        Returns ``(guid, answer)``: the answer is the create's, or the entity read back when
        that answer was lost. ``ApiError`` when Dinero refused the create; when it cannot be
        told whether it was stored, the error (``NetworkError``, ...) names the GUID."""
        path_bytes = cstr(path, "path")
        body = cstr(json_text(json, "json body"), "json body")
        guid = _native.OwnedString()
        out = _native.ResponsePtr()
        errors.check(_native.lib().dinero_client_create(
            self._pointer, path_bytes, body, ctypes.byref(guid), ctypes.byref(out)
        ))
        text = _native.take_string(guid)
        return text, _decoded(Response(out))

    def access_token(self) -> str:
        """A currently valid access token (refreshed first if due), for your own HTTP calls.
        Treat it as a secret."""
        token = _native.OwnedString()
        errors.check(_native.lib().dinero_client_access_token(self._pointer, ctypes.byref(token)))
        return _native.take_string(token)

    # -- lifetime ---------------------------------------------------------------------------

    @property
    def closed(self) -> bool:
        return getattr(self, "_closed", True)

    def close(self) -> None:
        """Waits for requests still running on other threads, then wipes the client's token and
        credentials and closes its connections. Idempotent."""
        if not self.closed:
            errors.check(_native.lib().dinero_client_close(self._pointer))
            self._closed = True

    def __del__(self) -> None:
        # Only now may the handle go: another thread still inside a method holds this object.
        pointer, self._pointer = getattr(self, "_pointer", None), None
        try:
            if pointer is not None:
                _native.lib().dinero_client_free(pointer)
        except Exception:  # noqa: BLE001 - interpreter shutdown: the module may be gone
            pass

    def _json_call(
        self, method: str, path: str, json: Any, params: Params, organization_id: OrganizationId
    ) -> Any:
        return _decoded(self.request(method, path, json, params, organization_id=organization_id))

    def __repr__(self) -> str:
        return f"<libdinero.Client {'closed' if self.closed else 'open'}>"


def _decoded(response: Response) -> Any:
    """The JSON of an OK answer (None for an empty body), as the library reads it
    (``dinero_response_json``: a body that is not JSON is a ``ProtocolError``); ``ApiError``
    for an answer that is not OK. The response is closed either way: the helpers hand out only
    what it held."""
    with response:
        if not response.ok:
            raise response._api_error()
        text = ctypes.c_char_p()
        errors.check(_native.lib().dinero_response_json(response._live(), ctypes.byref(text)))
        return _json.loads(text.value or b"null")


