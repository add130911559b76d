"""The package: version, status names, library lookup, py.typed, and the examples."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Dict

import pytest

import libdinero
from libdinero import _library
from conftest import REPO, Sandbox, assert_no_secret


def test_the_version_is_the_library_version() -> None:
    assert libdinero.__version__ == libdinero.library_version()
    cargo = (REPO / "Cargo.toml").read_text()
    assert f'version = "{libdinero.__version__}"' in cargo


def test_status_names() -> None:
    assert libdinero.status_str(0)
    assert libdinero.status_str(4) == "authentication rejected"
    assert libdinero.status_str(9999) == "unknown status"
    for wrapped in (2**32, 2**32 + 4, -1, 2**70):  # never taken modulo 2**32
        with pytest.raises(libdinero.InvalidArgumentError):
            libdinero.status_str(wrapped)


def test_the_package_is_typed() -> None:
    assert (Path(libdinero.__file__).parent / "py.typed").is_file()


def test_the_exception_tree() -> None:
    assert issubclass(libdinero.InvalidArgumentError, ValueError)
    assert issubclass(libdinero.TimeoutError, TimeoutError)
    assert issubclass(libdinero.FileError, OSError)
    for network_error in (libdinero.TLSError, libdinero.ProtocolError, libdinero.ResponseTooLargeError):
        assert issubclass(network_error, libdinero.NetworkError)
    for cls in (
        libdinero.AuthenticationError,
        libdinero.InvalidArgumentError,
        libdinero.NetworkError,
        libdinero.TimeoutError,
        libdinero.ApiError,
        libdinero.FileError,
    ):
        assert issubclass(cls, libdinero.DineroError)
    error = libdinero.DineroError("x", 10)
    assert error.status == 10 and str(error) == "x"


def test_every_status_has_its_exception() -> None:
    from libdinero import errors

    expected = {
        1: libdinero.InvalidArgumentError, 2: libdinero.InvalidArgumentError,
        3: libdinero.InvalidArgumentError, 4: libdinero.AuthenticationError,
        5: libdinero.AuthenticationError, 6: libdinero.NetworkError, 7: libdinero.TimeoutError,
        8: libdinero.TLSError, 9: libdinero.ProtocolError, 10: libdinero.DineroError,
        11: libdinero.ResponseTooLargeError, 12: libdinero.FileError, 12345: libdinero.DineroError,
    }
    for status, cls in expected.items():
        error = errors.from_status(status)
        assert type(error) is cls and error.status == status and str(error)
    errors.check(0)
    with pytest.raises(libdinero.DineroError):
        errors.check(10)


def test_dinero_library_comes_first(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DINERO_LIBRARY", "/some/where/libdinero.so")
    assert _library.candidates() == ["/some/where/libdinero.so"]
    monkeypatch.delenv("DINERO_LIBRARY")
    found = _library.candidates()
    package = Path(libdinero.__file__).resolve().parent
    assert found[0] == str(package / "libdinero.so")  # shipped inside the package
    assert found[-2:] == ["libdinero.so.0", "libdinero.so"]  # then the system loader
    release = REPO / "target" / "release" / "libdinero.so"
    if release.is_file() and REPO in package.parents:
        assert str(release) in found


def run_python(code: str, env: Dict[str, str]) -> "subprocess.CompletedProcess[str]":
    return subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60
    )


def test_a_wrong_dinero_library_is_a_clear_error() -> None:
    env = {**os.environ, "DINERO_LIBRARY": "/nonexistent/libdinero.so"}
    done = run_python("import libdinero; libdinero.library_version()", env)
    assert done.returncode != 0
    assert "LibraryNotFoundError" in done.stderr and "DINERO_LIBRARY" in done.stderr


def test_import_does_not_load_the_library() -> None:
    env = {**os.environ, "DINERO_LIBRARY": "/nonexistent/libdinero.so"}
    done = run_python("import libdinero; print(libdinero.__version__)", env)
    assert done.returncode == 0 and done.stdout.strip() == libdinero.__version__


@pytest.mark.parametrize("example", ["personal_integration.py", "docs_style.py", "visma_connect.py"])
def test_the_examples_run_against_the_sandbox(sandbox: Sandbox, example: str) -> None:
    env = {**os.environ, **sandbox.settings}
    package = Path(libdinero.__file__).resolve().parent.parent
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(package), env.get("PYTHONPATH")]))
    done = subprocess.run(
        [sys.executable, str(REPO / "examples" / "python" / example)],
        env=env, capture_output=True, text=True, timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.rstrip().endswith("done")
    assert_no_secret(done.stdout + done.stderr, sandbox)


def test_the_files_example_runs_against_the_sandbox(sandbox: Sandbox, tmp_path: Path) -> None:
    env = {**os.environ, **sandbox.settings}
    package = Path(libdinero.__file__).resolve().parent.parent
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(package), env.get("PYTHONPATH")]))
    example = str(REPO / "examples" / "python" / "files.py")
    receipt = tmp_path / "kvittering.pdf"
    receipt.write_bytes(b"%PDF-1.4\n\x00receipt\n%%EOF\n")
    for arguments, expected in (([], "(kvittering.png, "), ([str(receipt)], f"uploading {receipt}\n")):
        target = tmp_path / f"invoice{len(arguments)}.pdf"
        done = subprocess.run(
            [sys.executable, example, *(arguments or [""]), str(target)],
            env=env, capture_output=True, text=True, timeout=60, cwd=tmp_path,
        )
        assert done.returncode == 0, done.stderr
        assert done.stdout.rstrip().endswith("done")
        assert expected in done.stdout
        # The upload's FileGuid is shown; the list holds only files attached to a voucher,
        # which a fresh upload is not (as in Dinero, and in the sandbox by default).
        assert re.search(r"^stored as FileGuid [0-9a-f]{8}-[0-9a-f-]{27}$", done.stdout, re.M), done.stdout
        assert "\n0 file(s) listed;" in done.stdout
        assert target.read_bytes().startswith(b"%PDF-")
        assert_no_secret(done.stdout + done.stderr, sandbox)
    done = subprocess.run(
        [sys.executable, example, str(tmp_path / "missing.png"), str(tmp_path / "x.pdf")],
        env=env, capture_output=True, text=True, timeout=60, cwd=tmp_path,
    )
    assert done.returncode == 1 and "missing.png" in done.stderr


def test_the_example_says_which_variable_is_missing() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DINERO_") or k == "DINERO_LIBRARY"}
    done = subprocess.run(
        [sys.executable, str(REPO / "examples" / "python" / "personal_integration.py")],
        env=env, capture_output=True, text=True, timeout=60,
    )
    assert done.returncode == 2 and "DINERO_CLIENT_ID" in done.stderr


def test_target_release_is_looked_in_only_in_a_checkout_and_only_when_safe(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The same cases as the PHP and Node bindings' tests of the lookup (docs/design.md).
    monkeypatch.delenv("DINERO_LIBRARY", raising=False)
    package = tmp_path / "site-packages" / "libdinero"
    package.mkdir(parents=True)
    release = tmp_path / "target" / "release"
    release.mkdir(parents=True)
    planted = release / "libdinero.so"
    planted.write_bytes(b"")
    for path in (tmp_path, tmp_path / "target", release, planted):
        path.chmod(0o755)
    assert str(planted) not in _library.candidates(package), "not a checkout: never looked in"
    (tmp_path / "include").mkdir()
    (tmp_path / "include" / "dinero.h").write_text("")
    (tmp_path / "Cargo.toml").write_text("")
    assert _library.candidates(package) == [
        str(package / "libdinero.so"), str(planted), "libdinero.so.0", "libdinero.so"
    ]
    release.chmod(0o777)
    assert str(planted) not in _library.candidates(package), "a folder others may write is skipped"
    release.chmod(0o755)
    planted.chmod(0o666)
    assert str(planted) not in _library.candidates(package), "a file others may write is skipped"
