"""The locust side of the load bench (``bench/load_bench.py``): run as ``python -m bench.journey``
with its configuration as JSON on stdin; prints the figures as JSON on stdout.

Its own process because locust patches the standard library for gevent, which the Django harness
must not share. Each simulated person signs in through the form (CSRF token from the cookie,
following the redirect home), then loops: home, pair page, log a session, answer a check-in, the
API's pair list, with a 0.5 to 2 s pause after each. A step fails on any status other than 200 at the
end of its redirects, on a sign-in that lands back on the sign-in page (a rate limit's refusal
included) and on a connection error (a reset keep-alive connection included).
"""

from __future__ import annotations

import json
import random
import sys
import time
from datetime import date, timedelta
from typing import Any

import gevent  # type: ignore[import-untyped]
from locust import HttpUser, task
from locust.env import Environment
from locust.exception import StopUser

CONFIG: dict[str, Any] = {}
_waiting: list[dict[str, Any]] = []
_signed_in: list[float] = []
_started: list[float] = []


def _pause() -> None:
    gevent.sleep(random.uniform(0.5, 2.0))


class Person(HttpUser):
    # The pauses are inside the journey; between two journeys there is none more.
    def wait_time(self) -> float:
        return 0.0

    def on_start(self) -> None:
        if not _started:
            _started.append(time.monotonic())
        self.me = _waiting.pop(0)
        self.answered = 0
        self.client.get(CONFIG["login"], name="sign-in page")
        with self.client.post(
            CONFIG["login"],
            data={
                "login": self.me["email"],
                "password": CONFIG["password"],
                "csrfmiddlewaretoken": self.client.cookies.get("csrftoken", ""),
            },
            name="sign in",
            catch_response=True,
        ) as response:
            signed_in = False
            if response.status_code != 200 or "sessionid" not in self.client.cookies:
                response.failure(f"not signed in: {response.status_code} at {response.url}")
            elif CONFIG["login"] in (response.url or ""):
                response.failure("sent back to the sign-in page")
            else:
                signed_in = True
                _signed_in.append(time.monotonic())
        if not signed_in:
            raise StopUser  # counted above; a person who is not in does not walk the journey

    def _post(self, url: str, name: str, data: dict[str, Any]) -> None:
        data = {**data, "csrfmiddlewaretoken": self.client.cookies.get("csrftoken", "")}
        with self.client.post(url, data=data, name=name, catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"{response.status_code}: {response.text[:200]!r}")
            elif response.history and response.history[0].status_code != 302:
                response.failure(f"the form was not accepted: {response.history[0].status_code}")
            elif not response.history:
                response.failure("the form was not accepted (no redirect)")

    @task
    def journey(self) -> None:
        self.client.get(self.me["home"], name="home")
        _pause()
        self.client.get(self.me["pair"], name="pair page")
        _pause()
        held_on = date.fromisoformat(CONFIG["today"]) - timedelta(days=random.randint(1, 60))
        self._post(
            self.me["session_log"],
            "log a session",
            {
                "held_on": held_on.isoformat(),
                "duration_minutes": "45",
                "format": "video",
                "learned": "Load test: what we tried",
            },
        )
        _pause()
        if self.answered < len(self.me["check_ins"]):
            url = self.me["check_ins"][self.answered]
            self.answered += 1
            self._post(url, "answer a check-in", {"rating": "4", "blockers": ""})
            _pause()
        self.client.get(
            self.me["api_list"], name="API list", headers={"Accept": "application/json"}
        )
        _pause()


def _percentile(entry: Any, fraction: float) -> float:
    return float(entry.get_response_time_percentile(fraction) or 0)


def main() -> int:
    CONFIG.update(json.load(sys.stdin))
    _waiting.extend(CONFIG["people"])
    environment = Environment(user_classes=[Person], host=CONFIG["host"])
    runner = environment.create_local_runner()
    people = len(CONFIG["people"])
    runner.start(people, spawn_rate=people / CONFIG["spawn_seconds"])
    # All of them in for the whole duration: the clock starts once the last one is spawned.
    gevent.spawn_later(CONFIG["spawn_seconds"] + CONFIG["duration"], runner.quit)
    runner.greenlet.join()
    steps = {
        entry.name: {
            "requests": entry.num_requests,
            "failures": entry.num_failures,
            "p50_ms": _percentile(entry, 0.5),
            "p95_ms": _percentile(entry, 0.95),
            "max_ms": float(entry.max_response_time or 0),
        }
        for entry in environment.stats.entries.values()
    }
    failures = [
        {"step": error.name, "error": str(error.error), "count": error.occurrences}
        for error in environment.stats.errors.values()
    ]
    signed = sorted(_signed_in)
    within = (signed[-1] - _started[0]) if signed and _started else float("nan")
    json.dump(
        {
            "steps": steps,
            "failures": failures,
            "signed_in": len(signed),
            "sign_ins_within_s": within,
        },
        sys.stdout,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
