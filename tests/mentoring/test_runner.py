"""./flip test runs the suite in one process per core unless told otherwise."""

from __future__ import annotations

from mentoring.runner import pytest_args

PARALLEL = ["--numprocesses", "auto", "--dist", "loadgroup"]


def test_the_suite_runs_in_parallel_by_default() -> None:
    assert pytest_args([], {}) == PARALLEL
    assert pytest_args(["-x", "tests/feedback"], {}) == [*PARALLEL, "-x", "tests/feedback"]


def test_a_given_number_of_processes_comes_last_and_wins() -> None:
    assert pytest_args(["-n", "0", "tests/feedback"], {}) == [
        *PARALLEL,
        "-n",
        "0",
        "tests/feedback",
    ]


def test_without_the_plugin_nothing_is_added() -> None:
    assert pytest_args(["-p", "no:xdist", "-x"], {}) == ["-p", "no:xdist", "-x"]
    assert pytest_args(["-pno:xdist"], {}) == ["-pno:xdist"]
    assert pytest_args(["-x"], {"PYTEST_ADDOPTS": "-p no:xdist"}) == ["-x"]
