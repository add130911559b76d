"""Visma Connect: the sign-in of integrations offered to many companies (OAuth 2 authorization
code with PKCE, then rotating refresh tokens). Thin mirrors of ``dinero_connect_*``: the library
makes the state and verifier, checks the browser's answer, exchanges the code, refreshes and
hands every new refresh token to ``on_refresh_token``."""

from __future__ import annotations

import ctypes
import json
import urllib.parse
from typing import Callable, Dict, Mapping, Optional, Tuple, Union

from . import _constants, _log, _native, errors
from ._convert import OptionValue, cstr, json_text
from .client import Client, Credentials, open_client, options_handle

__all__ = ["connect_authenticate", "connect_authenticate_code", "connect_authorize_url"]

RefreshTokenCallback = Callable[[str], None]


def connect_authorize_url(client_id: str, redirect_uri: str, **options: OptionValue) -> Dict[str, str]:
    """Starts a sign-in (``dinero_connect_authorize_url``): ``{"url", "state", "code_verifier",
    "redirect_uri"}``, fresh each time. Send the user's browser to ``url``; keep the whole dict
    (in the user's session) for :func:`connect_authenticate_code`. It holds the PKCE verifier, a
    secret. Options read: ``connect_url``, ``scope``, ``ui_locales`` (e.g. ``"da-DK"``)."""
    arguments = (cstr(client_id, "client_id"), cstr(redirect_uri, "redirect_uri"))
    out = _native.OwnedString()
    with options_handle(options) as handle:
        errors.check(_native.lib().dinero_connect_authorize_url(*arguments, handle, ctypes.byref(out)))
    authorization: Dict[str, str] = json.loads(_native.take_string(out))
    return authorization


def connect_authenticate_code(
    client_id: str,
    client_secret: str,
    authorization: Union[Mapping[str, str], str],
    callback: Union[Mapping[str, str], str, bytes],
    *,
    on_refresh_token: Optional[RefreshTokenCallback] = None,
    log_level: Optional[_log.LogLevel] = None,
    **options: OptionValue,
) -> Client:
    """Finishes a sign-in (``dinero_connect_authenticate_code``) and returns a client, as
    :func:`~libdinero.authenticate` does. ``callback`` is what the browser brought to the
    redirect URI: the POSTed form body (``code=..&state=..``, as ``str`` or as the ``bytes``
    Flask's ``request.get_data()`` gives), the query string or the whole URL, or those fields as
    a mapping (Flask's ``request.form``, Django's ``request.POST``); anything else is an
    ``InvalidArgumentError``;
    ``authorization`` what :func:`connect_authorize_url` returned for this sign-in (the
    dict or its JSON). A state that does not match, a refused consent or a refused code is an
    ``AuthenticationError``. The first refresh token reaches ``on_refresh_token`` before this
    returns; every later one too, on whichever thread refreshed (store it durably, and lock
    if your store needs it). ``options`` and ``log_level`` as for ``authenticate``, plus
    ``connect_url`` and ``grant_name`` (required with ``shared_state``)."""
    text, answer, problem = _sign_in_texts(authorization, callback)
    credentials, refused = Credentials.hold(
        client_id=client_id, client_secret=client_secret, authorization=text, callback=answer
    )
    del client_secret, authorization, text, callback, answer  # see authenticate()
    problem = problem or refused
    if problem is not None:
        raise problem
    return open_client(
        "dinero_connect_authenticate_code", credentials, options, log_level, on_refresh_token
    )


def _sign_in_texts(
    authorization: object, callback: object
) -> Tuple[object, object, Optional[errors.DineroError]]:
    """The authorization and the browser's answer as the texts the library reads, or the
    reason they cannot be: handed back, never raised from here, where a traceback would show
    the verifier and the code (as ``Credentials.hold`` does for the secrets)."""
    try:
        text = authorization if isinstance(authorization, str) else json_text(authorization, "authorization")
        return text, _callback_text(callback), None
    except errors.DineroError as error:
        message, status = error.message, error.status
    except Exception as error:  # noqa: BLE001 - an odd mapping's urlencode, say
        message = f"callback cannot be read: {type(error).__name__}"
        status = _constants.STATUS_INVALID_ARGUMENT
    return None, None, errors.InvalidArgumentError(message, status)


def _callback_text(callback: object) -> object:
    """The browser's answer as the text the library reads; a type that is none of the above is
    handed on as it is, for ``cstr`` to refuse with an ``InvalidArgumentError`` (never its value)."""
    if isinstance(callback, (bytes, bytearray)):
        return bytes(callback).decode("utf-8", "replace")
    if isinstance(callback, Mapping):
        return urllib.parse.urlencode(list(callback.items()))
    return callback


def connect_authenticate(
    client_id: str,
    client_secret: str,
    refresh_token: str,
    *,
    on_refresh_token: Optional[RefreshTokenCallback] = None,
    log_level: Optional[_log.LogLevel] = None,
    **options: OptionValue,
) -> Client:
    """A client from a refresh token stored earlier (``dinero_connect_authenticate``). It is
    used at once: a revoked, expired or used-up one raises ``LoginRequiredError`` here (the
    user must sign in again), as do requests once Visma Connect refuses a later refresh. Every
    new refresh token reaches ``on_refresh_token`` before it is relied on."""
    credentials, problem = Credentials.hold(
        client_id=client_id, client_secret=client_secret, refresh_token=refresh_token
    )
    del client_secret, refresh_token  # see authenticate()
    if problem is not None:
        raise problem
    return open_client("dinero_connect_authenticate", credentials, options, log_level, on_refresh_token)
