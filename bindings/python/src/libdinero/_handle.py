"""The base of every object that owns a native handle: idempotent close(), ``with``, __del__."""

from __future__ import annotations

from types import TracebackType
from typing import Any, NoReturn, Optional, Type, TypeVar

__all__ = ["NativeHandle"]

_Self = TypeVar("_Self", bound="NativeHandle")


class NativeHandle:
    """Owns one native handle. ``close()`` releases it (a second call does nothing); leaving a
    ``with`` block closes it; so does garbage collection, as a last resort."""

    def close(self) -> None:  # pragma: no cover - every subclass overrides it
        raise NotImplementedError

    @property
    def closed(self) -> bool:  # pragma: no cover - every subclass overrides it
        raise NotImplementedError

    def __copy__(self, *_: Any) -> NoReturn:
        # A copy would share the handle, and both would free it.
        raise TypeError(f"a {type(self).__name__} owns a native handle and cannot be copied")

    __deepcopy__ = __reduce__ = __copy__

    def __enter__(self: _Self) -> _Self:
        return self

    def __exit__(
        self,
        exc_type: Optional[Type[BaseException]],
        exc: Optional[BaseException],
        traceback: Optional[TracebackType],
    ) -> None:
        self.close()

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:  # noqa: BLE001 - interpreter shutdown or a failed __init__
            pass
