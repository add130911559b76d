"""Finding and loading libdinero.so, in the order every binding uses (docs/design.md, "Finding
the library"):

1. ``DINERO_LIBRARY``: the full path of the library. If set, it is the only candidate: a wrong
   path is an error rather than a silent fall-back to some other copy.
2. The library shipped inside this package (``libdinero/libdinero.so``), if a build put it there.
3. In a development checkout only: the repository's ``target/release/libdinero.so``. The
   repository is the nearest folder above this package that holds ``include/dinero.h`` and
   ``Cargo.toml``; a package installed anywhere else never looks into ``target/release``. The
   file is skipped when it, or a folder from the repository down to it, is writable by group or
   others or owned by another user (anyone who could swap it could run code in this process).
4. The system loader (``libdinero.so.0``, then ``libdinero.so``: ``LD_LIBRARY_PATH``,
   ``ldconfig``'s cache, the default directories).
"""

from __future__ import annotations

import ctypes
import os
import stat
import sys
import threading
from pathlib import Path
from typing import List, Optional

__all__ = ["LibraryNotFoundError", "candidates", "load"]

ENV_VAR = "DINERO_LIBRARY"

if sys.platform == "darwin":
    _FILE_NAME = "libdinero.dylib"
    _SYSTEM_NAMES = ["libdinero.0.dylib", "libdinero.dylib"]
else:
    _FILE_NAME = "libdinero.so"
    _SYSTEM_NAMES = ["libdinero.so.0", "libdinero.so"]


class LibraryNotFoundError(OSError):
    """libdinero could not be loaded from any of the places it is looked for."""


_lock = threading.Lock()
_loaded: Optional[ctypes.CDLL] = None


def candidates(package_dir: Optional[Path] = None) -> List[str]:
    """The paths or names tried, in order (only the environment variable when it is set)."""
    override = os.environ.get(ENV_VAR)
    if override:
        return [override]
    package_dir = package_dir or Path(__file__).resolve().parent
    found = [str(package_dir / _FILE_NAME)]
    checkout = _development_build(package_dir)
    if checkout is not None:
        found.append(checkout)
    return found + _SYSTEM_NAMES


def _development_build(package_dir: Path) -> Optional[str]:
    """The checkout's target/release library, if this package lies in a checkout and nobody
    but its owner (or root) could have put the library there."""
    for root in package_dir.parents:
        if (root / "include" / "dinero.h").is_file() and (root / "Cargo.toml").is_file():
            library = root / "target" / "release" / _FILE_NAME
            chain = [root, root / "target", library.parent, library]
            return str(library) if library.is_file() and all(map(_trusted, chain)) else None
    return None


def _trusted(path: Path) -> bool:
    info = path.stat()
    return info.st_uid in (0, os.geteuid()) and not info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


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
