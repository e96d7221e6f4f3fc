"""Import benchmark: a realistic 10,000-row directory file, validated (dry run) and committed in process.

Import after ``django.setup()`` (``bench/run.py`` does, on its throwaway database). Each run uses a
fresh organisation, so the first import creates everyone; then the same file with one job title in
ten changed is imported again (the re-import path: match by employee id, update in bulk). The steps
are the task bodies themselves (``run_validation`` / ``run_commit``), called in process: the figures
are what a worker spends, without the broker hop. Goal: validate + commit of 10k rows ≤ 20 s.
"""

from __future__ import annotations

import csv
import io
import random
import statistics
import time
from dataclasses import dataclass, field
from datetime import date, timedelta

from accounts.models import User
from organizations import services
from organizations.scope import tenant_scope
from participants.importing import jobs
from participants.models import ImportJob, ImportStatus, Person

HEADER = [
    "Employee ID",
    "Full name",
    "Work email",
    "Job title",
    "Department",
    "Manager",
    "Grade",
    "Location",
    "Time zone",
    "Languages",
    "Start date",
]
DEPARTMENTS = ["Sales", "Engineering", "Finance", "Marketing", "Operations", "People", "Legal"]
SITES = [
    ("London", "Europe/London", "en"),
    ("Paris", "Europe/Paris", "fr en"),
    ("Berlin", "Europe/Berlin", "de en"),
    ("New York", "America/New_York", "en es"),
    ("São Paulo", "America/Sao_Paulo", "pt-br en"),
    ("Singapore", "Asia/Singapore", "en zh"),
    ("Tokyo", "Asia/Tokyo", "ja en"),
]
FIRST = ["Ada", "Bea", "Cy", "Dee", "Eli", "Fay", "Gus", "Hal", "Ines", "Jo", "Kai", "Lou", "Mo"]
LAST = ["Adams", "Baker", "Chen", "Diaz", "Evans", "Fischer", "Garcia", "Hughes", "Ito", "Jones"]
TITLES = {10: "CEO", 9: "VP", 8: "Director", 7: "Head", 6: "Manager", 5: "Lead"}


def generate_rows(count: int, *, seed: int = 7) -> list[list[str]]:
    """A reporting tree: a CEO, VPs, directors, managers and staff; managers referred to by
    employee id or by email, often on a later row than their reports (rows are shuffled)."""
    rng = random.Random(seed)
    rows: list[list[str]] = []
    managers_by_level: dict[int, list[int]] = {}
    for index in range(count):
        if index == 0:
            level = 10
        elif index < 8:
            level = 9
        elif index < 60:
            level = 8
        elif index < 400:
            level = rng.choice((6, 7))
        elif index < 1500:
            level = 5
        else:
            level = rng.randint(1, 4)
        higher = [n for lvl, ids in managers_by_level.items() if lvl > level for n in ids[-200:]]
        manager = rng.choice(higher) if higher else None
        site = SITES[index % len(SITES)]
        name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
        employee_id = f"E{index + 1:05d}"
        email = f"{name.split()[0].lower()}.{employee_id.lower()}@bench-import.test"
        manager_ref = ""
        if manager is not None:
            manager_row = rows[manager]
            manager_ref = manager_row[0] if manager % 2 else manager_row[2]
        rows.append(
            [
                employee_id,
                name,
                email,
                TITLES.get(level, "Specialist"),
                DEPARTMENTS[index % len(DEPARTMENTS)],
                manager_ref,
                str(level),
                site[0],
                site[1],
                site[2],
                (date(2005, 1, 1) + timedelta(days=rng.randint(0, 7000))).isoformat(),
            ]
        )
        if level >= 5:
            managers_by_level.setdefault(level, []).append(index)
    rng.shuffle(rows)
    return rows


def to_csv(rows: list[list[str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADER)
    writer.writerows(rows)
    return buffer.getvalue().encode()


def to_xlsx(rows: list[list[str]]) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@dataclass
class ImportFigures:
    rows: int
    runs: int
    timings: dict[str, list[float]] = field(default_factory=dict)
    summaries: dict[str, dict[str, int]] = field(default_factory=dict)

    def add(self, label: str, seconds: float) -> None:
        self.timings.setdefault(label, []).append(seconds)

    def median(self, label: str) -> float:
        return statistics.median(self.timings[label])


def _timed(figures: ImportFigures, label: str, step: str, job_id: int, actor_id: int) -> None:
    status = ImportStatus.VALIDATING if step == "validate" else ImportStatus.COMMITTING
    ImportJob.objects.filter(pk=job_id).update(status=status, claimed_at=None)
    started = time.perf_counter()
    if step == "validate":
        outcome = jobs.run_validation(job_id=job_id)
    else:
        outcome = jobs.run_commit(job_id=job_id, actor_id=actor_id)
    figures.add(label, time.perf_counter() - started)
    job = ImportJob.objects.get(pk=job_id)
    if job.problems or outcome not in ("validated", "committed"):
        raise RuntimeError(f"{label}: {outcome}, problems {job.problems[:5]}")
    figures.summaries[label] = {k: v for k, v in job.summary.items() if isinstance(v, int)}


def _import(figures: ImportFigures, prefix: str, content: bytes, organization, admin) -> None:  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    job = jobs.import_upload(
        organization=organization, actor=admin, file_name="people.csv", content=content
    )
    figures.add(f"{prefix}: upload (read header, suggest mapping)", time.perf_counter() - started)
    if len(job.mapping) != len(HEADER):
        raise RuntimeError(f"mapping suggested only {sorted(job.mapping)}")
    _timed(figures, f"{prefix}: validate (dry run task)", "validate", job.pk, admin.pk)
    _timed(figures, f"{prefix}: commit (re-check + write)", "commit", job.pk, admin.pk)


def run(*, rows: int = 10_000, runs: int = 3, say=print) -> ImportFigures:  # type: ignore[no-untyped-def]
    figures = ImportFigures(rows=rows, runs=runs)
    data = generate_rows(rows)
    content = to_csv(data)
    changed = [list(row) for row in data]
    for row in changed[::10]:
        row[3] = f"{row[3]} (acting)"
    changed_content = to_csv(changed)
    xlsx = to_xlsx(data)
    for number in range(1, runs + 1):
        admin = User.objects.create_user(email=f"admin{number}@bench-import.test", password=None)
        organization = services.organization_create(
            name=f"Import bench {number}", slug=f"bench-import-{number}", admin=admin
        )
        with tenant_scope(organization):
            _import(figures, "new file", content, organization, admin)
            if Person.objects.count() != rows:
                raise RuntimeError("the import did not create every row")
            _import(figures, "re-import, 1 in 10 changed", changed_content, organization, admin)
            if Person.objects.count() != rows:
                raise RuntimeError("the re-import duplicated people")
            started = time.perf_counter()
            job = jobs.import_upload(
                organization=organization, actor=admin, file_name="people.xlsx", content=xlsx
            )
            figures.add("XLSX upload (read workbook, store as CSV)", time.perf_counter() - started)
            _timed(
                figures, "XLSX validate (same people: all unchanged)", "validate", job.pk, admin.pk
            )
        say(
            f"import run {number}/{runs}: validate "
            f"{figures.timings['new file: validate (dry run task)'][-1]:.2f} s, commit "
            f"{figures.timings['new file: commit (re-check + write)'][-1]:.2f} s"
        )
    return figures


def report(figures: ImportFigures) -> list[str]:
    total = figures.median("new file: validate (dry run task)") + figures.median(
        "new file: commit (re-check + write)"
    )
    lines = [
        "",
        f"Directory import, {figures.rows:,} rows (median of {figures.runs} runs, in process)",
    ]
    for label in figures.timings:
        lines.append(f"  {label:<66}{figures.median(label):>7.2f} s")
    lines += [
        f"  {'=> new file: validate + commit':<66}{total:>7.2f} s   (goal ≤ 20 s)",
        "  outcomes: "
        + "; ".join(
            f"{label.split(':')[0]} {summary}"
            for label, summary in figures.summaries.items()
            if "commit" in label
        ),
        "",
    ]
    return lines
