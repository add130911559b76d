"""Build hook: ships libdinero.so inside the package when one is at hand, so that
`pip install ./bindings/python` gives a package that works with no DINERO_LIBRARY.

DINERO_BUNDLE_LIBRARY (at build time): unset = the repository's target/release/libdinero.so if
it exists; "0" = ship none; a path = ship that file. A wheel with the library inside is tagged
for this platform rather than as pure Python.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path
from typing import Optional

from setuptools import setup
from setuptools.command.build_py import build_py
from setuptools.dist import Distribution

NAME = {"darwin": "libdinero.dylib", "win32": "dinero.dll"}.get(sys.platform, "libdinero.so")


def bundled_library() -> Optional[Path]:
    choice = os.environ.get("DINERO_BUNDLE_LIBRARY", "")
    if choice == "0":
        return None
    if choice:
        return Path(choice)
    candidate = Path(__file__).resolve().parents[2] / "target" / "release" / NAME
    return candidate if candidate.is_file() else None


class BuildPy(build_py):
    def run(self) -> None:
        super().run()
        library = bundled_library()
        if library is not None:
            target = Path(self.build_lib) / "libdinero" / NAME
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(library, target)


class MaybeBinaryDistribution(Distribution):
    def has_ext_modules(self) -> bool:
        return bundled_library() is not None


setup(cmdclass={"build_py": BuildPy}, distclass=MaybeBinaryDistribution)
