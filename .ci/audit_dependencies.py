"""Audit every package pinned in uv.lock for known vulnerabilities (pip-audit), or say plainly why not.

The lock is exported as requirements (no hashes, not the project itself) and audited with
``--no-deps`` (the lock already lists every package) and ``--strict`` (a package that could not be
audited fails the step instead of passing silently). pip-audit asks an advisory service over the
network; the service is probed first:

1. OSV (``api.osv.dev``), pip-audit's most complete source;
2. else PyPI's per-release JSON (``pypi.org/pypi/<name>/<version>/json``, which carries its
   ``vulnerabilities``) — pip-audit's default service;
3. else neither is reachable (a machine that reaches package indexes only): the step is skipped
   with a message saying so, and CI is not failed for a network it does not have. A reachable
   service that finds a vulnerability, or cannot audit a package, always fails.

Run by ``.ci/run``; by hand: ``.venv/bin/python .ci/audit_dependencies.py``.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
import tomllib
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TIMEOUT = 15


def say(message: str) -> None:
    print(f"audit: {message}", flush=True)


def uv() -> list[str]:
    found = shutil.which("uv")
    if found:
        return [found]
    for python in ("python3", sys.executable):
        if subprocess.run([python, "-m", "uv", "--version"], capture_output=True).returncode == 0:
            return [python, "-m", "uv"]
    raise SystemExit("audit: uv is needed to export the lock file (./flip installs it)")


def locked_version(name: str) -> str:
    lock = tomllib.loads((ROOT / "uv.lock").read_text())
    return next(package["version"] for package in lock["package"] if package["name"] == name)


def reachable(request: urllib.request.Request) -> bool:
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
            json.loads(response.read())
            return bool(response.status == 200)
    except (OSError, ValueError, urllib.error.URLError):
        return False


def service() -> str | None:
    version = locked_version("django")
    osv = urllib.request.Request(
        "https://api.osv.dev/v1/query",
        data=json.dumps(
            {"package": {"name": "django", "ecosystem": "PyPI"}, "version": version}
        ).encode(),
        headers={"Content-Type": "application/json"},
    )
    if reachable(osv):
        return "osv"
    if reachable(urllib.request.Request(f"https://pypi.org/pypi/django/{version}/json")):
        return "pypi"
    return None


def main() -> int:
    chosen = service()
    if chosen is None:
        say(
            "SKIPPED: neither OSV (api.osv.dev) nor PyPI's per-release JSON "
            "(pypi.org/pypi/<name>/<version>/json) answers from this machine, so no advisory "
            "database can be read and nothing was audited. Run this step where one is reachable."
        )
        return 0
    with tempfile.TemporaryDirectory() as directory:
        requirements = Path(directory) / "requirements.txt"
        exported = subprocess.run(
            [
                *uv(),
                "export",
                "--frozen",
                "--no-hashes",
                "--no-emit-project",
                "--format",
                "requirements-txt",
                "--output-file",
                str(requirements),
            ],
            cwd=ROOT,
            capture_output=True,
            text=True,
        )
        if exported.returncode:
            say(f"uv export failed:\n{exported.stderr}")
            return 1
        count = sum(1 for line in requirements.read_text().splitlines() if "==" in line)
        say(f"{count} locked packages, advisory service: {chosen}")
        audit = [
            str(Path(sys.executable).parent / "pip-audit"),
            "--requirement",
            str(requirements),
            "--no-deps",
            "--disable-pip",
            "--strict",
            "--vulnerability-service",
            chosen,
            "--progress-spinner",
            "off",
        ]
        return subprocess.run(audit, cwd=ROOT).returncode


if __name__ == "__main__":
    raise SystemExit(main())
