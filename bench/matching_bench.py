"""Matching benchmark: realistic cohorts of 1k, 5k and 10k mentors by as many mentees.

Run it with ``./flip bench --only matching`` (or ``python -m bench.matching_bench``; ``--quick`` runs
1k and 5k only). Every step runs in its own child process, which reports its own peak memory
(``ru_maxrss`` of ``RUSAGE_SELF``: a parent's ``RUSAGE_CHILDREN`` figure would inherit the
parent's peak). Per size:

1. **Engine only**, on plain records (``synthetic_records``): each engine stage timed — build
   profiles (records → arrays), score matrix, hard-rule mask, optimal solve, explanations; then the
   greedy baseline on the same matrix (its total as a percentage of ours, how many mentees it gives
   a worse partner or none, by how much) and, up to 5k, "most matched first".
2. **End to end in Django** (``bench/matching_e2e.py``), on a throwaway database created, migrated
   and dropped here (``flipside_bench_<pid>``, as bench/run.py does): a child seeds a program with
   the same cohort (not timed), another times the round's task body
   ``matching.rounds.run.run_round`` — load (``load_cohort``), engine stages, store
   (``store_result``) — over ``--repeats`` rounds.

Goals from the issue, end to end: 1k ≤ 2 s, 5k ≤ 15 s, 10k ≤ 60 s and ≤ 6 GB. See bench/README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parent.parent
if __name__ == "__main__" and str(PROJECT_ROOT) not in sys.path:  # run as a script
    sys.path.insert(0, str(PROJECT_ROOT))

import numpy as np  # noqa: E402

from bench.database import PREFIX as BENCH_DATABASE_PREFIX  # noqa: E402
from bench.database import BenchDatabase  # noqa: E402
from matching.engine import (  # noqa: E402
    Constraints,
    HardRules,
    MatchingQuestion,
    Mode,
    PersonRecord,
    RuleSet,
    Scorer,
    ScoringConfig,
    build_cohort,
    explain,
    greedy,
    solve,
)
from matching.engine.profiles import Cohort  # noqa: E402
from matching.engine.whatif import WhatIf  # noqa: E402

SIZES = (1_000, 5_000, 10_000)
QUICK_SIZES = (1_000, 5_000)
GOALS_S = {1_000: 2.0, 5_000: 15.0, 10_000: 60.0}
MEMORY_GOAL_MB = 6 * 1024
MAX_MATCHED_UP_TO = 5_000
WHATIF_UP_TO = 1_000
WHATIF_GOAL_S = 0.3
WHATIF_REPEATS = 7
STAGES = ("build", "score", "rules", "solve", "explain")

TOPIC_NAMES = [
    "generative-AI tools", "social media", "TikTok", "data literacy", "prompt writing",
    "remote collaboration", "sustainability", "diversity & inclusion", "gaming", "crypto",
    "personal branding", "video editing", "no-code automation", "cybersecurity hygiene",
    "Gen Z consumer habits", "podcasting", "mobile-first design", "mental health at work",
]  # fmt: skip
N_TOPICS = 60
FOCUS_TOPICS = frozenset({1, 2, 5, 7, 11, 15})
DEPARTMENTS = [
    "Sales", "Engineering", "Finance", "Marketing", "Operations", "People", "Legal",
    "Product", "Support", "Research", "Procurement", "Strategy",
]  # fmt: skip
OFFSETS = [-480, -300, -180, 0, 0, 0, 60, 60, 60, 120, 330, 480, 540, 600]
OTHER_LANGUAGES = ["French", "German", "Spanish", "Hindi", "Japanese", "Portuguese"]
WEIGHTS = {
    "complementarity": 10,
    "interests": 4,
    "focus": 5,
    "availability": 6,
    "time_zone": 3,
    "language": 8,
    "meeting_format": 2,
    "diversity": 3,
    "questions": 2,
}
RULES = HardRules(junior_mentor=True, level_gap=2, reporting_chain=True, chain_levels=3)
QUESTIONS = (
    MatchingQuestion(
        id=1,
        text="How do you like to work?",
        kind="single_choice",
        use="similar",
        choices=("Structured", "Spontaneous", "Hands-on", "Reflective"),
    ),
    MatchingQuestion(id=2, text="Appetite for risk", kind="scale", use="different"),
)


# --- Synthetic cohort ----------------------------------------------------------------------------


def topic_names() -> dict[int, str]:
    """Topic number (1..N_TOPICS) -> name: the records' skills and interests use the numbers."""
    return {
        t: TOPIC_NAMES[t - 1] if t <= len(TOPIC_NAMES) else f"Topic {t}"
        for t in range(1, N_TOPICS + 1)
    }


def _record(
    rng: random.Random,
    *,
    enrollment_id: int,
    person_id: int,
    mentor: bool,
    topic_weights: list[float],
) -> PersonRecord:
    topics = list(range(1, N_TOPICS + 1))
    n_skills = rng.randint(2, 8) if mentor else rng.randint(1, 6)
    skills = {
        t: rng.randint(2 if mentor else 1, 5)
        for t in rng.choices(topics, topic_weights, k=n_skills)
    }
    languages = ["English"] if rng.random() < 0.93 else []
    if rng.random() < 0.4 or not languages:
        languages.append(rng.choice(OTHER_LANGUAGES))
    windows = []
    for day in rng.sample(range(5), rng.randint(2, 4)):
        start = rng.randint(8, 17)
        windows.append(
            {
                "weekday": day,
                "start": f"{start:02d}:00",
                "end": f"{start + rng.randint(1, 3):02d}:00",
            }
        )
    return PersonRecord(
        enrollment_id=enrollment_id,
        person_id=person_id,
        name=f"{'Mentor' if mentor else 'Mentee'} {person_id}",
        level=rng.randint(1, 5) if mentor else rng.randint(4, 10),
        department=rng.choice(DEPARTMENTS),
        utc_offset_minutes=rng.choice(OFFSETS),
        languages=languages,
        meeting_format=rng.choices(["either", "video", "in_person"], [60, 25, 15])[0],
        availability=windows,
        skills=skills,
        interests=set(rng.choices(topics, topic_weights, k=rng.randint(2, 8))),
        answers={
            "1": rng.choice(QUESTIONS[0].choices) if rng.random() < 0.8 else None,
            "2": rng.randint(1, 5) if rng.random() < 0.8 else None,
        },
        max_mentees=2 if mentor and rng.random() < 0.15 else 1,
        generation=rng.choice(
            ["Gen Z", "Millennial"] if mentor else ["Millennial", "Gen X", "Boomer"]
        ),
    )


def synthetic_records(
    n: int, seed: int = 7
) -> tuple[list[PersonRecord], list[PersonRecord], dict[int, int | None]]:
    """``n`` mentors (person ids n+1..2n), ``n`` mentees (1..n) and everyone's manager: a mentee
    reports to a more senior mentee (or nobody), a mentor to a mentee."""
    rng = random.Random(seed)
    topic_weights = [1 / (rank + 3) for rank in range(N_TOPICS)]  # a few popular topics
    mentees = [
        _record(
            rng, enrollment_id=100_000 + k, person_id=k, mentor=False, topic_weights=topic_weights
        )
        for k in range(1, n + 1)
    ]
    mentors = [
        _record(
            rng,
            enrollment_id=200_000 + k,
            person_id=n + k,
            mentor=True,
            topic_weights=topic_weights,
        )
        for k in range(1, n + 1)
    ]
    by_level = sorted(mentees, key=lambda r: r.level or 0)
    manager_of: dict[int, int | None] = {}
    for position, record in enumerate(by_level):
        seniors = by_level[position + 1 :]
        manager_of[record.person_id] = rng.choice(seniors[:50]).person_id if seniors else None
    for record in mentors:
        manager_of[record.person_id] = rng.choice(mentees).person_id
    return mentors, mentees, manager_of


def synthetic_constraints(cohort: Cohort, rules: HardRules, seed: int = 11) -> Constraints:
    """1 % previous pairs, 0.5 % admin blocks, and five pins that respect the rules."""
    rng = random.Random(seed)
    n_mentors, n_mentees = cohort.mentors.size, cohort.mentees.size
    mentor_people, mentee_people = (
        cohort.mentors.person_ids.tolist(),
        cohort.mentees.person_ids.tolist(),
    )
    previous = [
        (rng.choice(mentor_people), rng.choice(mentee_people)) for _ in range(n_mentees // 100)
    ]
    mentor_ids, mentee_ids = cohort.mentors.ids.tolist(), cohort.mentees.ids.tolist()
    blocks = [(rng.choice(mentor_ids), rng.choice(mentee_ids)) for _ in range(n_mentees // 200)]
    ruleset = RuleSet(cohort, rules, Constraints(previous_pairs=previous, blocks=blocks))
    pins: list[tuple[int, int]] = []
    used_mentors: set[int] = set()
    used_mentees: set[int] = set()
    while len(pins) < min(5, n_mentors, n_mentees):
        mentor, mentee = rng.randrange(n_mentors), rng.randrange(n_mentees)
        if (
            mentor in used_mentors
            or mentee in used_mentees
            or ruleset.rules_forbidding(mentee, mentor)
        ):
            continue
        used_mentors.add(mentor)
        used_mentees.add(mentee)
        pins.append((mentor_ids[mentor], mentee_ids[mentee]))
    return Constraints(previous_pairs=previous, blocks=blocks, pins=pins)


# --- One size, in a child process -----------------------------------------------------------------


def _timed(timings: dict[str, float], stage: str, work: Callable[[], Any]) -> Any:
    started = time.perf_counter()
    result = work()
    timings[stage] = time.perf_counter() - started
    return result


def run_size(n: int) -> dict[str, Any]:
    mentors, mentees, manager_of = synthetic_records(n)
    timings: dict[str, float] = {}
    cohort: Cohort = _timed(
        timings,
        "build",
        lambda: build_cohort(
            mentors=mentors,
            mentees=mentees,
            topics=topic_names(),
            focus_topics=FOCUS_TOPICS,
            questions=QUESTIONS,
            max_mentees_per_mentor=2,
            manager_of=manager_of,
        ),
    )
    constraints = synthetic_constraints(cohort, RULES)
    started = time.perf_counter()
    ruleset = RuleSet(cohort, RULES, constraints)
    pins = ruleset.pin_indices()
    scorer = Scorer(cohort, ScoringConfig(weights=WEIGHTS))
    setup = time.perf_counter() - started
    scores = _timed(timings, "score", scorer.matrix)
    timings["score"] += setup
    allowed = _timed(timings, "rules", ruleset.allowed_matrix)
    capacity = cohort.mentors.capacity
    optimal = _timed(timings, "solve", lambda: solve(scores, allowed, capacity, pins=pins))
    explanations = _timed(
        timings,
        "explain",
        lambda: explain(
            scorer=scorer, ruleset=ruleset, scores=scores, allowed=allowed, assignment=optimal
        ),
    )
    baseline = greedy(scores, allowed, capacity, pins=pins)
    ours_by_mentee = np.zeros(cohort.mentees.size)
    ours_by_mentee[optimal.mentees] = optimal.scores
    greedy_by_mentee = np.zeros(cohort.mentees.size)
    greedy_by_mentee[baseline.mentees] = baseline.scores
    worse = greedy_by_mentee < ours_by_mentee - 1e-9
    out: dict[str, Any] = {
        "n": n,
        "timings": timings,
        "total_s": sum(timings.values()),
        "allowed_share": float(allowed.mean()),
        "slots": int(capacity.sum()),
        "matched": optimal.matched,
        "total": optimal.total,
        "mean": optimal.mean,
        "min": optimal.minimum,
        "unmatched_reasons": len(explanations.unmatched),
        "greedy": {
            "seconds": baseline.seconds,
            "matched": baseline.matched,
            "total_pct": 100 * baseline.total / optimal.total,
            "mentees_worse": int(worse.sum()),
            "mentees_worse_pct": 100 * float(worse.mean()),
            "mean_drop": float((ours_by_mentee - greedy_by_mentee)[worse].mean())
            if worse.any()
            else 0.0,
        },
        "sample": explanations.pairs[0].rationale if explanations.pairs else "",
    }
    out["solve_method"] = optimal.method
    if n <= WHATIF_UP_TO:
        out["whatif"] = whatif_timings(cohort, constraints, optimal.total)
    if n <= MAX_MATCHED_UP_TO:
        most = solve(scores, allowed, capacity, pins=pins, mode=Mode.MAX_MATCHED_FIRST)
        out["max_matched"] = {"seconds": most.seconds, "matched": most.matched, "total": most.total}
    out["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    # The dense solve in the same process, for the ratio (after the peak was read: it needs the
    # full cost matrix, which the pruned solve avoids).
    dense = solve(scores, allowed, capacity, pins=pins, candidates=0)
    out["dense"] = {
        "seconds": dense.seconds,
        "same_total": abs(dense.total - optimal.total) <= 1e-6 * max(1.0, abs(optimal.total)),
    }
    return out


def whatif_timings(cohort: Cohort, constraints: Constraints, round_total: float) -> dict[str, Any]:
    """The live what-if on the engine (no database): cold (criterion scores kept, rule mask
    computed, then the preview), warm (another weight changed each time: re-score and re-solve
    only; median of ``WHATIF_REPEATS``) and a changed rule (its mask computed once)."""
    started = time.perf_counter()
    whatif = WhatIf(cohort, constraints)
    first = whatif.preview(
        config=ScoringConfig(weights=WEIGHTS), rules=RULES, mode=Mode.SCORE_FIRST
    )
    cold = time.perf_counter() - started
    warm: list[float] = []
    for k in range(WHATIF_REPEATS):
        weights = dict(WEIGHTS)
        name = list(WEIGHTS)[k % len(WEIGHTS)]
        weights[name] = (weights[name] + 1 + k) % 11
        started = time.perf_counter()
        whatif.preview(config=ScoringConfig(weights=weights), rules=RULES, mode=Mode.SCORE_FIRST)
        warm.append(time.perf_counter() - started)
    started = time.perf_counter()
    relaxed = HardRules(junior_mentor=True, level_gap=1, reporting_chain=True, chain_levels=3)
    whatif.preview(config=ScoringConfig(weights=WEIGHTS), rules=relaxed, mode=Mode.SCORE_FIRST)
    rule_change = time.perf_counter() - started
    return {
        "cold_s": cold,
        "warm_s": float(np.median(warm)),
        "warm_runs": warm,
        "rule_change_s": rule_change,
        "same_total": abs(first.assignment.total - round_total) <= 1e-6 * max(1.0, round_total),
    }


# --- End to end in Django: children that seed and run a round on the bench database --------------


def _django_child() -> None:
    """In a child of the end-to-end step: Django on the bench database (bench.settings)."""
    import django

    django.setup()


def seed_child(n: int) -> dict[str, Any]:
    _django_child()
    from bench import matching_e2e

    return matching_e2e.seed(n)


def round_child(
    organization_id: int, program_id: int, repeats: int, profile_dir: Path | None
) -> dict[str, Any]:
    _django_child()
    from bench import matching_e2e

    result = matching_e2e.run_rounds(
        organization_id=organization_id,
        program_id=program_id,
        repeats=repeats,
        profile_dir=profile_dir,
    )
    result["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return result


def say(message: str) -> None:
    print(f"bench: {message}", file=sys.stderr, flush=True)


def _terminate(signum: int, frame: FrameType | None) -> None:
    # Unwinds through bench_database(): the running child is killed, the database dropped.
    raise SystemExit(128 + signum)


@contextmanager
def bench_database() -> Iterator[BenchDatabase]:
    """``flipside_bench_<pid>``, created and migrated with the app role (as bench/run.py does), and
    dropped on the way out, also on SIGTERM or an exception. Children find it through
    ``FLIPSIDE_BENCH_DATABASE_URL`` and ``bench.settings``."""
    database = BenchDatabase(
        base_url=os.environ["DATABASE_URL"], name=f"{BENCH_DATABASE_PREFIX}{os.getpid()}"
    )
    for name in database.drop_abandoned():
        say(f"dropped {name}, left behind by a run that was killed")
    say(f"creating database {database.name}…")
    database.create()
    try:
        os.environ["FLIPSIDE_BENCH_DATABASE_URL"] = database.url
        os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
        os.environ.setdefault("FLIPSIDE_ENV", "test")
        say("migrating…")
        subprocess.run(
            [
                sys.executable,
                "manage.py",
                "migrate",
                "--no-input",
                "--skip-checks",
                "--verbosity",
                "0",
            ],
            cwd=PROJECT_ROOT,
            check=True,
            timeout=600,
        )
        yield database
    finally:
        database.drop()
        if database.exists():
            say(f"database {database.name} is still there after the run")


# --- Parent: run each size in children, print the tables ------------------------------------------


def run_child(arguments: list[str], timeout: float) -> dict[str, Any]:
    completed = subprocess.run(
        [sys.executable, "-m", "bench.matching_bench", *arguments],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if completed.returncode != 0:
        raise RuntimeError(f"{' '.join(arguments)} failed:\n{completed.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(completed.stdout.strip().splitlines()[-1])
    return result


def run_end_to_end(
    n: int, *, repeats: int, profile_dir: Path | None, say_: Callable[[str], None] = say
) -> dict[str, Any]:
    say_(f"end to end {n:,} x {n:,}: seeding…")
    seeded = run_child(["--seed", str(n)], timeout=1800)
    say_(f"end to end {n:,} x {n:,}: {repeats} round(s)…")
    arguments = [
        "--round",
        str(n),
        "--organization",
        str(seeded["organization_id"]),
        "--program",
        str(seeded["program_id"]),
        "--repeats",
        str(repeats),
    ]
    if profile_dir is not None:
        arguments += ["--profile", str(profile_dir)]
    result = run_child(arguments, timeout=900 * repeats)
    result["n"] = n
    result["seed"] = seeded
    return result


def _verdict(n: int, seconds: float, peak_mb: float) -> str:
    return "ok" if seconds <= GOALS_S.get(n, float("inf")) and peak_mb <= MEMORY_GOAL_MB else "MISS"


def report(results: list[dict[str, Any]]) -> list[str]:
    header = (
        f"  {'cohort':<14}"
        + "".join(f"{s:>9}" for s in STAGES)
        + f"{'total':>9}{'goal':>7}{'peak MB':>9}"
    )
    lines = [
        "",
        f"Matching engine only ({os.cpu_count()} CPU cores), synthetic records, seconds per stage",
        header,
    ]
    for r in results:
        lines.append(
            f"  {r['n']:,} x {r['n']:,}".ljust(16)
            + "".join(f"{r['timings'][s]:>9.2f}" for s in STAGES)
            + f"{r['total_s']:>9.2f}{GOALS_S.get(r['n'], float('inf')):>5.0f} s{r['peak_mb']:>9.0f}"
        )
    lines += ["", "  Result and greedy baseline (same matrix; greedy is for comparison only)"]
    for r in results:
        g = r["greedy"]
        lines.append(
            f"  {r['n']:,}: {r['matched']:,} pairs of {r['slots']:,} places, mean {r['mean']:.1f}, "
            f"min {r['min']:.1f}, {r['unmatched_reasons']} unmatched explained, "
            f"{100 * r['allowed_share']:.0f} % of pairs allowed"
        )
        lines.append(
            f"      greedy ({g['seconds']:.1f} s): total {g['total_pct']:.2f} % of ours, "
            f"{g['matched']:,} pairs; {g['mentees_worse']:,} mentees ({g['mentees_worse_pct']:.1f} %) "
            f"get a worse partner or none, by {g['mean_drop']:.1f} points on average"
        )
        if "max_matched" in r:
            m = r["max_matched"]
            lines.append(
                f"      most matched first ({m['seconds']:.1f} s): {m['matched']:,} pairs, "
                f"total {m['total']:.0f} (score first: {r['matched']:,} pairs, total {r['total']:.0f})"
            )
    lines.append("")
    for r in results:
        if "dense" in r:
            d = r["dense"]
            lines.append(
                f"  Solve at {r['n']:,}: {r.get('solve_method', '?')} {r['timings']['solve']:.2f} s, "
                f"dense {d['seconds']:.2f} s in the same process (ratio "
                f"{r['timings']['solve'] / d['seconds']:.2f}; same total: "
                f"{'yes' if d['same_total'] else 'NO'})"
            )
    for r in results:
        if "whatif" not in r:
            continue
        w = r["whatif"]
        lines.append(
            f"  Live what-if at {r['n']:,} x {r['n']:,} (engine, no database): cold "
            f"{w['cold_s']:.3f} s, warm {w['warm_s']:.3f} s (median of {len(w['warm_runs'])}: "
            f"another weight each time; goal {WHATIF_GOAL_S} s), a changed rule "
            f"{w['rule_change_s']:.3f} s; warm / score+solve of the round "
            f"{w['warm_s'] / (r['timings']['score'] + r['timings']['solve']):.2f}; same total as "
            f"the round: {'yes' if w['same_total'] else 'NO'}"
        )
    lines += ["", f"  Sample rationale: {results[0]['sample']}" if results else "", ""]
    return lines


def report_end_to_end(
    results: list[dict[str, Any]], engine_only: list[dict[str, Any]]
) -> list[str]:
    if not results:
        return []
    repeats = len(results[0]["runs"])
    columns = (
        "load",
        "engine",
        "store",
        "other",
        "end-to-end",
        "CPU",
        "peak MB",
        "goal",
        "ratio",
    )
    lines = [
        f"Matching end to end in Django ({os.cpu_count()} CPU cores shared with PostgreSQL): "
        f"matching.rounds.run.run_round on a seeded program, median of {repeats} round(s), seconds",
        f"  {'cohort':<14}" + "".join(f"{c:>11}" for c in columns),
    ]
    for r in results:
        m, n = r["median"], r["n"]
        goal = GOALS_S.get(n, float("inf"))
        lines.append(
            f"  {n:,} x {n:,}".ljust(16)
            + "".join(f"{m[k]:>11.2f}" for k in ("load_s", "engine_s", "store_s", "other_s"))
            + f"{m['total_s']:>11.2f}{m['cpu_s']:>11.2f}{r['peak_mb']:>11.0f}"
            + f"{goal:>9.0f} s{m['total_s'] / goal:>11.2f}"
            + f"  {_verdict(n, m['total_s'], r['peak_mb'])}"
        )
    lines += ["", "  Stages (medians; queries are counted per stage; load includes build_cohort)"]
    engine_by_n = {e["n"]: e for e in engine_only}
    for r in results:
        m, n, t = r["median"], r["n"], r["engine_timings_median"]
        queries = r["runs"][-1]["queries"]
        query_seconds = r["runs"][-1]["query_seconds"]
        lines.append(
            f"  {n:,}: load {m['load_s']:.2f} = queries and records {m['load_s'] - m['build_s']:.2f}"
            f" ({queries.get('load', 0)} queries, {query_seconds.get('load', 0.0):.2f} s in the "
            f"database) + build_cohort {m['build_s']:.2f}"
        )
        lines.append(
            "      engine "
            + f"{m['engine_s']:.2f} = "
            + " + ".join(f"{stage} {seconds:.2f}" for stage, seconds in t.items())
            + f" + rule set, pins and progress writes {m['engine_rest_s']:.2f}"
        )
        lines.append(
            f"      store {m['store_s']:.2f} ({queries.get('store', 0)} queries, "
            f"{query_seconds.get('store', 0.0):.2f} s in the database); other {m['other_s']:.2f} "
            f"(claim, reload, progress: {queries.get('other', 0) + queries.get('engine', 0)} queries)"
        )
        lines.append(
            "      end-to-end per run: "
            + "  ".join(f"{run['total_s']:.2f}" for run in r["runs"])
            + "; worker CPU per run: "
            + "  ".join(f"{run['cpu_s']:.2f}" for run in r["runs"])
        )
        last = r["runs"][-1]
        same = ""
        if n in engine_by_n:
            e = engine_by_n[n]
            agrees = last["matched"] == e["matched"] and abs(
                last["total"] - e["total"]
            ) <= 1e-6 * max(1.0, abs(e["total"]))
            same = (
                f"; engine only: {e['matched']:,} pairs, total {e['total']:.1f}"
                f" ({'same result' if agrees else 'DIFFERENT result'})"
            )
        lines.append(
            f"      {last['matched']:,} pairs, {last['unmatched']:,} unmatched stored, "
            f"total {last['total']:.1f}{same}"
        )
        c = r["seed"]["counts"]
        lines.append(
            f"      seeded (not timed) in {r['seed']['seconds']:.1f} s: {c['people']:,} people, "
            f"{c['enrollments']:,} enrolments, {c['skills']:,} skills, {c['interests']:,} "
            f"interests, {c['previous_pairs']} previous pairs, {c['blocks']} blocks, "
            f"{c['pins']} pins"
        )
    lines += [
        "",
        "  Goals (issue): end to end 1k ≤ 2 s, 5k ≤ 15 s, 10k ≤ 60 s and ≤ 6 GB peak; ratio = "
        "end-to-end / goal. CPU = the worker's own CPU time (PostgreSQL's is not in it): on a "
        "busy machine wall time grows, CPU time much less. The 2 cores are shared: compare "
        "figures of one run.",
        "",
    ]
    return lines


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="1k and 5k only")
    parser.add_argument("--sizes", type=int, nargs="+", help="cohort sizes to run instead")
    parser.add_argument("--json", type=Path, dest="json_path", help="also write the figures here")
    parser.add_argument(
        "--repeats", type=int, default=3, help="end-to-end rounds per size, median reported (3)"
    )
    parser.add_argument(
        "--engine-only", action="store_true", help="skip the end-to-end rounds (no database)"
    )
    parser.add_argument(
        "--profile",
        type=Path,
        dest="profile_dir",
        help="cProfile the last end-to-end round of each size; .pstats and .txt written here",
    )
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--seed", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--round", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--organization", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--program", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(run_size(args.child)), flush=True)
        return 0
    if args.seed:
        print(json.dumps(seed_child(args.seed)), flush=True)
        return 0
    if args.round:
        result = round_child(args.organization, args.program, args.repeats, args.profile_dir)
        print(json.dumps(result), flush=True)
        return 0
    if args.repeats < 1:
        parser.error("--repeats must be at least 1")
    sizes = args.sizes or (QUICK_SIZES if args.quick else SIZES)
    end_to_end = not args.engine_only
    if end_to_end and not os.environ.get("DATABASE_URL"):
        say("DATABASE_URL is not set: end-to-end rounds skipped (run ./flip bench --only matching)")
        end_to_end = False
    engine_results = []
    for n in sizes:
        say(f"engine only {n:,} x {n:,}…")
        engine_results.append(run_child(["--child", str(n)], timeout=900))
    e2e_results: list[dict[str, Any]] = []
    if end_to_end:
        previous = signal.signal(signal.SIGTERM, _terminate)
        try:
            with bench_database():
                for n in sizes:
                    e2e_results.append(
                        run_end_to_end(n, repeats=args.repeats, profile_dir=args.profile_dir)
                    )
        finally:
            signal.signal(signal.SIGTERM, previous)
    print("\n".join(report(engine_results) + report_end_to_end(e2e_results, engine_results)))
    if args.json_path:
        args.json_path.write_text(
            json.dumps({"engine": engine_results, "end_to_end": e2e_results}, indent=2) + "\n"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
