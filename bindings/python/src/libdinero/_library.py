"""Finding and loading libdinero.so.

Lookup order (DESIGN.md, the same in every binding):

1. ``DINERO_LIBRARY``: the full path of the library. If set, it is the only candidate: a wrong
   path is an error rather than a silent fall-back to some other copy.
2. The library shipped inside this package (``libdinero/libdinero.so``), if a build put it there.
3. The repository's ``target/release``: the first ancestor directory of this package that has
   ``target/release/libdinero.so`` (a package installed from, or run inside, the repository).
4. The system loader (``libdinero.so.0``, then ``libdinero.so``: ``LD_LIBRARY_PATH``,
   ``ldconfig``'s cache, the default directories).
"""

from __future__ import annotations

import ctypes
import os
import sys
import threading
from pathlib import Path
from typing import List, Optional

__all__ = ["LibraryNotFoundError", "candidates", "load"]

ENV_VAR = "DINERO_LIBRARY"

if sys.platform == "darwin":
    _FILE_NAMES = ["libdinero.dylib"]
    _SYSTEM_NAMES = ["libdinero.0.dylib", "libdinero.dylib"]
elif sys.platform == "win32":
    _FILE_NAMES = ["dinero.dll"]
    _SYSTEM_NAMES = ["dinero.dll"]
else:
    _FILE_NAMES = ["libdinero.so"]
    _SYSTEM_NAMES = ["libdinero.so.0", "libdinero.so"]


class LibraryNotFoundError(OSError):
    """libdinero could not be loaded from any of the places it is looked for."""


_lock = threading.Lock()
_loaded: Optional[ctypes.CDLL] = None


def candidates() -> List[str]:
    """The paths or names tried, in order (only the environment variable when it is set)."""
    override = os.environ.get(ENV_VAR)
    if override:
        return [override]
    package_dir = Path(__file__).resolve().parent
    found: List[str] = [str(package_dir / name) for name in _FILE_NAMES]
    for ancestor in package_dir.parents:
        for name in _FILE_NAMES:
            path = ancestor / "target" / "release" / name
            if path.is_file():
                found.append(str(path))
                break
        else:
            continue
        break
    found.extend(_SYSTEM_NAMES)
    return found


def load() -> ctypes.CDLL:
    """The loaded library (loaded once per process, on first use)."""
    global _loaded
    with _lock:
        if _loaded is None:
            _loaded = _load_first(candidates())
        return _loaded


def _load_first(names: List[str]) -> ctypes.CDLL:
    errors: List[str] = []
    for name in names:
        is_path = os.sep in name
        if is_path and not os.path.isfile(name):
            errors.append(f"{name}: no such file")
            continue
        try:
            return ctypes.CDLL(name)
        except OSError as error:
            errors.append(f"{name}: {error}")
    hint = (
        f"{ENV_VAR} is set: point it at an existing libdinero"
        if os.environ.get(ENV_VAR)
        else f"build it (`make build`) or set {ENV_VAR} to its full path"
    )
    raise LibraryNotFoundError(
        "cannot load libdinero (" + hint + "); tried: " + "; ".join(errors)
    )
