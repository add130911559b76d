"""Runs the code blocks of the guides in docs/guide/ against a sandbox, so they cannot rot.

A fenced block whose info string ends in `run` (```c run, ```python run, ```php run,
```js run, ```sh run) is written to a file and run with the DINERO_* variables of a fresh
dinero-sandbox in its environment; it must exit 0. Other blocks (shell sessions, php.ini
lines, output) are documentation only.

Usage: python3 scripts/docs_blocks.py [guide.md ...]    (from anywhere; prints N passed, N failed)
Environment: DINERO_LIBRARY, DINERO_SANDBOX (defaults: the repository's target/release),
PYTHON (default bindings/python/.venv/bin/python).
"""
from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BLOCK = re.compile(r"^```(\w+) run\n(.*?)^```$", re.M | re.S)


def start_sandbox(work: Path) -> tuple[subprocess.Popen[bytes], dict[str, str]]:
    binary = os.environ.get("DINERO_SANDBOX", str(ROOT / "target/release/dinero-sandbox"))
    env_file = work / "sandbox.env"
    process = subprocess.Popen(
        [binary, "--port", "0", "--env-file", str(env_file)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    # As long as the other harnesses wait (a loaded machine starts it slowly); never leaves it
    # running when it did not come up.
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and process.poll() is None:
        text = env_file.read_text() if env_file.exists() else ""
        values = dict(line.split("=", 1) for line in text.splitlines() if "=" in line)
        if "DINERO_API_URL" in values and text.endswith("\n"):
            return process, values
        time.sleep(0.05)
    process.kill()
    process.wait()
    raise RuntimeError(f"{binary} wrote no {env_file.name} within 15 s (exit {process.returncode})")


def command_for(language: str, source: Path, work: Path) -> list[str] | None:
    library = os.environ.get("DINERO_LIBRARY", str(ROOT / "target/release/libdinero.so"))
    if language == "c":
        binary = work / (source.stem + ".bin")
        subprocess.run(
            ["cc", "-std=c99", "-Wall", "-Wextra", "-Werror", f"-I{ROOT / 'include'}", str(source),
             "-o", str(binary), f"-L{Path(library).parent}", "-ldinero",
             f"-Wl,-rpath,{Path(library).parent}"],
            check=True,
        )
        return [str(binary)]
    if language == "python":
        return [os.environ.get("PYTHON", str(ROOT / "bindings/python/.venv/bin/python")), str(source)]
    if language == "php":
        return ["php", "-d", f"auto_prepend_file={ROOT / 'bindings/php/vendor/autoload.php'}", str(source)]
    if language == "js":
        # `import ... from 'libdinero'` resolves to the binding in this repository.
        modules = work / "node_modules"
        modules.mkdir(exist_ok=True)
        if not (modules / "libdinero").exists():
            (modules / "libdinero").symlink_to(ROOT / "bindings/node")
        return ["node", str(source)]
    if language == "sh":
        return ["bash", "-euo", "pipefail", str(source)]
    return None


SUFFIX = {"c": ".c", "python": ".py", "php": ".php", "js": ".mjs", "sh": ".sh"}


def main(paths: list[str]) -> int:
    guides = [Path(p) for p in paths] or sorted((ROOT / "docs/guide").glob("*.md"))
    passed = failed = 0
    with tempfile.TemporaryDirectory(prefix="dinero-docs-") as tmp:
        work = Path(tmp)
        for guide in guides:
            for number, match in enumerate(BLOCK.finditer(guide.read_text()), start=1):
                language, code = match.group(1), match.group(2)
                name = f"{guide.name} block {number} ({language})"
                source = work / f"{guide.stem}_{number}{SUFFIX.get(language, '.txt')}"
                source.write_text(code)
                try:
                    sandbox, values = start_sandbox(work)
                except RuntimeError as error:
                    failed += 1
                    print(f"FAILED: {name}: {error}")
                    continue
                try:
                    command = command_for(language, source, work)
                    if command is None:
                        raise RuntimeError(f"no runner for {language}")
                    env = dict(os.environ, **values)
                    env["PATH"] = f"{ROOT / 'target/release'}:{env['PATH']}"
                    env.setdefault("DINERO_LIBRARY", str(ROOT / "target/release/libdinero.so"))
                    result = subprocess.run(command, env=env, cwd=work, capture_output=True, timeout=120)
                    if result.returncode != 0:
                        raise RuntimeError(
                            f"exit {result.returncode}\n{result.stdout.decode(errors='replace')}"
                            f"{result.stderr.decode(errors='replace')}"
                        )
                    passed += 1
                    print(f"ok: {name}")
                except Exception as error:  # report every block, then fail
                    failed += 1
                    print(f"FAILED: {name}: {error}")
                finally:
                    sandbox.kill()
                    sandbox.wait()
                    (work / "sandbox.env").unlink(missing_ok=True)
    print(f"docs: {passed} passed, {failed} failed")
    return 0 if failed == 0 and passed > 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
