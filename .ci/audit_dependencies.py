"""Audit every package pinned in uv.lock for known vulnerabilities (pip-audit), or say plainly why not.

The lock is exported as requirements (no hashes, not the project itself) and audited with
``--no-deps`` (the lock already lists every package) and ``--strict`` (a package that could not be
audited fails the step instead of passing silently). pip-audit asks an advisory service over the
network; the service is probed first:

1. OSV (``api.osv.dev``), pip-audit's most complete source;
2. else PyPI's per-release JSON (``pypi.org/pypi/<name>/<version>/json``, which carries its
   ``vulnerabilities``) — pip-audit's default service;
3. else PyPI's per-project JSON (``pypi.org/pypi/<name>/json``), which some package-index-only
   networks still serve: it carries the ``vulnerabilities`` of the project's *latest* release only.
   Every locked package at its latest release is audited with it (an advisory fails the step);
   a locked release that was yanked fails the step; a package pinned behind its latest release
   cannot be audited this way and is listed by name, so the report says exactly what was and was
   not audited (``audit_latest``);
4. else nothing is reachable: the step is skipped with a message saying so, and CI is not failed
   for a network it does not have. A reachable service that finds a vulnerability, or cannot
   audit a package, always fails.

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
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

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
    if reachable(urllib.request.Request("https://pypi.org/pypi/django/json")):
        return "pypi-latest"
    return None


def locked_packages() -> dict[str, str]:
    """Every package of uv.lock from the registry (name → version), the project itself excluded."""
    lock = tomllib.loads((ROOT / "uv.lock").read_text())
    return {
        package["name"]: package["version"]
        for package in lock["package"]
        if "registry" in package.get("source", {})
    }


def project_json(name: str) -> dict[str, Any] | None:
    request = urllib.request.Request(f"https://pypi.org/pypi/{name}/json")
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
            loaded: dict[str, Any] = json.loads(response.read())
            return loaded
    except (OSError, ValueError, urllib.error.URLError):
        return None


def audit_latest() -> int:
    """Audit what PyPI's per-project JSON can tell: see the module docstring (3.)."""
    packages = locked_packages()
    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = dict(zip(packages, pool.map(project_json, packages), strict=True))
    audited: list[str] = []
    behind: list[str] = []
    unanswered: list[str] = []
    problems: list[str] = []
    for name, version in sorted(packages.items()):
        answer = answers[name]
        if answer is None:
            unanswered.append(name)
            continue
        files = answer.get("releases", {}).get(version, [])
        if files and all(file.get("yanked") for file in files):
            reason = next((file.get("yanked_reason") for file in files), "") or "no reason given"
            problems.append(f"{name} {version} was yanked from PyPI ({reason})")
        latest = answer.get("info", {}).get("version")
        if latest != version:
            behind.append(f"{name} {version} (latest {latest})")
            continue
        audited.append(name)
        for advisory in answer.get("vulnerabilities") or []:
            fixed = ", ".join(advisory.get("fixed_in") or []) or "no fix yet"
            problems.append(
                f"{name} {version}: {advisory.get('id')} {advisory.get('aliases') or ''} "
                f"(fixed in {fixed}): {advisory.get('summary') or advisory.get('details', '')[:200]}"
            )
    say(
        f"{len(packages)} locked packages; advisory service: PyPI's per-project JSON (latest "
        f"release only): {len(audited)} audited at their latest release, {len(behind)} pinned "
        f"behind it (not auditable here), {len(unanswered)} without an answer"
    )
    if behind:
        say("not audited (behind their latest release): " + "; ".join(behind))
    if unanswered:
        say("not audited (PyPI did not answer): " + ", ".join(unanswered))
    for problem in problems:
        say(f"FOUND: {problem}")
    if problems:
        return 1
    say(f"no known vulnerability and no yanked release among the {len(audited)} audited packages")
    return 0


def main() -> int:
    chosen = service()
    if chosen is None:
        say(
            "SKIPPED: neither OSV (api.osv.dev) nor PyPI's JSON API "
            "(pypi.org/pypi/<name>[/<version>]/json) answers from this machine, so no advisory "
            "database can be read and nothing was audited. Run this step where one is reachable."
        )
        return 0
    if chosen == "pypi-latest":
        return audit_latest()
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
