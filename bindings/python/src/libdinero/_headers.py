"""Headers: a read-only, case-insensitive mapping of HTTP header names to values."""

from __future__ import annotations

from typing import Dict, Iterable, Iterator, Mapping, Tuple, Union

__all__ = ["Headers"]


class Headers(Mapping[str, str]):
    """A response's headers: ``headers["Content-Type"]``, ``"retry-after" in headers``,
    ``headers.get(name)``, ``len(headers)``, ``dict(headers)``. Names are looked up without
    regard to case; iterating gives the lower-case names in the order the headers arrived.
    Repeated headers come joined with ", " (as libdinero gives them).

    It is a snapshot: it stays readable after its response is closed, and never changes.
    """

    __slots__ = ("_values",)

    def __init__(
        self, headers: Union[Mapping[str, str], Iterable[Tuple[str, str]]] = ()
    ) -> None:
        values: Dict[str, str] = {}
        pairs = headers.items() if isinstance(headers, Mapping) else headers
        for name, value in pairs:
            key = str(name).lower()
            values[key] = f"{values[key]}, {value}" if key in values else str(value)
        self._values = values

    def __getitem__(self, name: str) -> str:
        if not isinstance(name, str):
            raise KeyError(name)
        return self._values[name.lower()]

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name.lower() in self._values

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def __repr__(self) -> str:
        return f"Headers({self._values!r})"
