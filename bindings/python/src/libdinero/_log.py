"""libdinero's log lines, forwarded to the ``logging`` module (logger ``"libdinero"``).

The library calls one C function per log line, on the thread that made the request. This module
makes that function once, as a ``CFUNCTYPE`` held in a module global for the life of the process:
native code may call it for as long as any client lives, so it must never be garbage-collected.
ctypes takes the GIL before running it. It never lets an exception escape into C. The Visma
Connect refresh-token callback (one per client, kept by the client) lives here too, for the same
reasons.
"""

from __future__ import annotations

import logging
from typing import Any, Callable, Optional, Union

from . import _constants, _native
from .errors import InvalidArgumentError

__all__ = ["LOGGER_NAME", "LogLevel", "max_level", "refresh_token_callback"]

LOGGER_NAME = "libdinero"

LogLevel = Union[int, str]
"""A ``logging`` level: a number (``logging.DEBUG``) or a name (``"DEBUG"``, any case)."""

logger = logging.getLogger(LOGGER_NAME)
# A library's logger: silent unless the application configures logging (no "last resort"
# printing of warnings to stderr).
logger.addHandler(logging.NullHandler())

# C level -> logging level.
_TO_LOGGING = {
    _constants.LOG_ERROR: logging.ERROR,
    _constants.LOG_WARN: logging.WARNING,
    _constants.LOG_INFO: logging.INFO,
    _constants.LOG_DEBUG: logging.DEBUG,
}

# From the most detailed: the C max_level to ask for when a logging level is enabled.
_FROM_LOGGING = (
    (logging.DEBUG, _constants.LOG_DEBUG),
    (logging.INFO, _constants.LOG_INFO),
    (logging.WARNING, _constants.LOG_WARN),
    (logging.ERROR, _constants.LOG_ERROR),
)


def _forward(user_data: Optional[int], level: int, message: Optional[bytes]) -> None:
    """The C callback: one line to the ``libdinero`` logger. Never raises."""
    try:
        python_level = _TO_LOGGING.get(level, logging.DEBUG if level > 4 else logging.ERROR)
        if logger.isEnabledFor(python_level):
            logger.log(python_level, (message or b"").decode("utf-8", "replace"))
    except BaseException:  # noqa: BLE001 - nothing may unwind into C; logging reports its own
        pass


# Made once and never freed: clients may call it until the process ends.
CALLBACK = _native.dinero_log_callback(_forward)


def refresh_token_callback(on_refresh_token: Callable[[str], None]) -> Any:
    """The C callback that hands each new Visma Connect refresh token to ``on_refresh_token``,
    on whichever thread refreshed (ctypes takes the GIL first). Nothing may unwind into C: an
    exception is logged as an error, by its type only (its text might hold the token)."""

    def forward(user_data: Optional[int], token: Optional[bytes]) -> None:
        try:
            on_refresh_token((token or b"").decode("utf-8"))
        except BaseException as error:  # noqa: BLE001 - see above
            logger.error("on_refresh_token raised %s: the new refresh token may be lost", type(error).__name__)

    return _native.dinero_refresh_token_callback(forward)


def max_level(log_level: Optional[LogLevel]) -> int:
    """The C ``max_level`` for a new client: from ``log_level`` when given, else from what the
    ``libdinero`` logger is enabled for now. 0 means "install no callback"."""
    if log_level is None:
        for python_level, c_level in _FROM_LOGGING:
            if logger.isEnabledFor(python_level):
                return c_level
        return 0
    threshold = _threshold(log_level)
    for python_level, c_level in _FROM_LOGGING:
        if threshold <= python_level:
            return c_level
    return 0


def _threshold(log_level: LogLevel) -> int:
    if isinstance(log_level, str):
        number = logging.getLevelName(log_level.strip().upper())
        if isinstance(number, int):
            return number
    elif isinstance(log_level, int) and not isinstance(log_level, bool):
        return log_level
    raise InvalidArgumentError(
        f"log_level must be a logging level (logging.DEBUG, \"INFO\", ...), got {log_level!r}",
        _constants.STATUS_INVALID_ARGUMENT,
    )
