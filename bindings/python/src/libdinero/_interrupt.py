"""Ctrl-C while a call waits.

A call may wait minutes without sending anything: for a slot in the rate window, for a 429's
Retry-After, for a token another thread or process is fetching. Python runs signal handlers only
between its own instructions, never inside a foreign call, so without help Ctrl-C would act only
when the wait ends. The library asks ``CALLBACK`` every 100 ms of such a wait (never while it
sends or reads). ``CALLBACK`` is CPython's own ``PyOS_InterruptOccurred``, called with the GIL
held and no Python frame: it says whether a SIGINT arrived for the main thread (always no on
other threads, and when SIGINT is ignored), and takes it. The wait is then given up
(``DINERO_STATUS_INTERRUPTED``) and ``redeliver`` sends the SIGINT again, so that its handler
runs at once, where the call was made: the default one raises ``KeyboardInterrupt``.

A Python function would not do: on the main thread the interpreter runs the handlers due as the
function starts, before any ``try`` in it, and ctypes only prints what escapes a callback.
"""

from __future__ import annotations

import ctypes
import signal
from typing import Any, Optional

from . import _native

__all__ = ["CALLBACK", "redeliver"]

CALLBACK: Optional[Any] = None  # None without the CPython C API: no callback

# Not there on PyPy, nor where the interpreter's symbols cannot be looked up (an embedding).
_interrupt_occurred = getattr(getattr(ctypes, "pythonapi", None), "PyOS_InterruptOccurred", None)
if _interrupt_occurred is not None:
    _interrupt_occurred.restype = ctypes.c_int
    # The C function takes no argument; the callback's user_data (NULL), passed in a register
    # the function never reads, is harmless in every C calling convention CPython runs on.
    _interrupt_occurred.argtypes = [ctypes.c_void_p]
    # Made once and never freed: clients may call it until the process ends.
    CALLBACK = _native.dinero_interrupt_callback(_interrupt_occurred)


def redeliver() -> None:
    """Sends the SIGINT the wait took again: its handler runs now (and raises, by default)."""
    signal.raise_signal(signal.SIGINT)
