"""Build hook: ships libdinero.so inside the package, so that `pip install ./bindings/python`
(or the wheel `pip wheel ./bindings/python` makes) works with no DINERO_LIBRARY and no Rust.
From a checkout without a release build, the library is built first with cargo.

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


REPOSITORY = Path(__file__).resolve().parents[2]


def bundled_library() -> Optional[Path]:
    choice = os.environ.get("DINERO_BUNDLE_LIBRARY", "")
    if choice == "0":
        return None
    if choice:
        return Path(choice)
    candidate = REPOSITORY / "target" / "release" / NAME
    if not candidate.is_file():
        build_library()
    return candidate if candidate.is_file() else None


def build_library() -> None:
    """From a checkout without a release build: build it, so the wheel works without Rust."""
    cargo = shutil.which("cargo")
    if cargo is None or not (REPOSITORY / "Cargo.toml").is_file():
        return
    import subprocess

    subprocess.run([cargo, "build", "--release", "-p", "dinero"], cwd=REPOSITORY, check=True)


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
