"""Build hook: ships libdinero.so inside the package, so that `pip install ./bindings/python`
(or the wheel `pip wheel ./bindings/python` makes) works with no DINERO_LIBRARY and no Rust.
From a checkout without a release build, the library is built first with cargo.

DINERO_BUNDLE_LIBRARY (at build time): unset = in a libdinero checkout, the repository's
target/release/libdinero.so (built first if missing), and nothing anywhere else (an sdist
unpacked into a temporary folder never looks above itself, where anyone may have put a file);
"0" = ship none; a path = ship that file. A wheel with the library inside is tagged
for this platform rather than as pure Python, and for every Python 3 (py3-none-...): ctypes does
not depend on the Python ABI. DINERO_WHEEL_PLATFORM sets the platform tag (`make dist` builds
the library for glibc 2.17 and sets manylinux_2_17_x86_64; `auditwheel show` confirms it).
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path
from typing import Optional

from setuptools import setup
from setuptools.command.build_py import build_py
from setuptools.command.egg_info import egg_info
from setuptools.dist import Distribution

try:
    from setuptools.command.bdist_wheel import bdist_wheel
except ImportError:  # setuptools before 70.1 has it in the wheel package
    from wheel.bdist_wheel import bdist_wheel

NAME = {"darwin": "libdinero.dylib", "win32": "dinero.dll"}.get(sys.platform, "libdinero.so")


HERE = Path(__file__).resolve().parent


def repository() -> Optional[Path]:
    """The libdinero checkout this binding lies in (bindings/python), or None. An sdist (it
    holds PKG-INFO) is not in one: pip unpacks it into a temporary folder, whose grandparent
    (/tmp) anybody can write to."""
    if (HERE / "PKG-INFO").is_file():
        return None
    root = HERE.parents[1]
    manifest = root / "Cargo.toml"
    if not ((root / "include" / "dinero.h").is_file() and manifest.is_file()):
        return None
    return root if 'name = "dinero"' in manifest.read_text(errors="replace") else None


def bundled_library() -> Optional[Path]:
    choice = os.environ.get("DINERO_BUNDLE_LIBRARY", "")
    if choice == "0":
        return None
    if choice:
        return Path(choice)
    root = repository()
    if root is None:
        return None
    candidate = root / "target" / "release" / NAME
    if not candidate.is_file():
        build_library(root)
    return candidate if candidate.is_file() else None


def build_library(root: Path) -> None:
    """From a checkout without a release build: build it, so the wheel works without Rust."""
    cargo = shutil.which("cargo")
    if cargo is None:
        return
    import subprocess

    subprocess.run([cargo, "build", "--release", "-p", "dinero"], cwd=root, check=True)


class BuildPy(build_py):
    def run(self) -> None:
        super().run()
        library = bundled_library()
        if library is not None:
            target = Path(self.build_lib) / "libdinero" / NAME
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(library, target)


class EggInfoInBuild(egg_info):
    """setuptools writes the package's metadata (libdinero.egg-info) beside the packages, into
    src/, by default; src/ holds the binding's own code only, so it goes into build/ instead."""

    def finalize_options(self) -> None:
        if self.egg_base is None:
            self.egg_base = "build"
            os.makedirs(self.egg_base, exist_ok=True)
        super().finalize_options()


class MaybeBinaryDistribution(Distribution):
    def has_ext_modules(self) -> bool:
        return bundled_library() is not None


class Python3Wheel(bdist_wheel):
    def finalize_options(self) -> None:
        platform = os.environ.get("DINERO_WHEEL_PLATFORM")
        if platform:
            self.plat_name = platform
        super().finalize_options()

    def get_tag(self) -> tuple[str, str, str]:
        python, abi, platform = super().get_tag()
        if bundled_library() is not None:
            return "py3", "none", platform
        return python, abi, platform


setup(
    cmdclass={"build_py": BuildPy, "bdist_wheel": Python3Wheel, "egg_info": EggInfoInBuild},
    distclass=MaybeBinaryDistribution,
)
