"""Settings for the benchmark: the product's settings, pointed at the throwaway bench database.

``bench/run.py`` sets ``FLIPSIDE_BENCH_DATABASE_URL`` (a database it created and drops again) and
``DJANGO_SETTINGS_MODULE=bench.settings`` for itself and for the gunicorn it starts.
"""

from __future__ import annotations

import os
import warnings

from django.core.exceptions import ImproperlyConfigured

from mentoring.env import parse_database_url
from mentoring.settings import *  # noqa: F403  (the product's settings, unchanged unless below)
from mentoring.settings import INSTALLED_APPS as _PRODUCT_INSTALLED_APPS
from mentoring.settings import REST_FRAMEWORK as _PRODUCT_REST_FRAMEWORK

_bench_url = os.environ.get("FLIPSIDE_BENCH_DATABASE_URL", "")
if not _bench_url:
    raise ImproperlyConfigured(
        "FLIPSIDE_BENCH_DATABASE_URL is not set: bench.settings is only for bench/run.py "
        "(./flip bench), which creates the bench database and sets it."
    )

ROOT_URLCONF = "bench.urls"
# bench.models: the bare-DRF baseline's unmanaged table (created by bench/seed.py).
INSTALLED_APPS = [*_PRODUCT_INSTALLED_APPS, "bench"]
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1"]
DATABASES = {
    "default": parse_database_url("FLIPSIDE_BENCH_DATABASE_URL", _bench_url).django(conn_max_age=60)
}
# As in the product's settings: row-level security per transaction needs client-side cursors
# (system check organizations.E004).
DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True
# Bench users sign in with tokens only; the fast hasher keeps seeding quick (as in the tests).
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# The throttle stays on (its Redis round trip is part of a real request's cost), but with a limit the
# load generator cannot reach. A one-second window keeps DRF's per-user history list as short as a
# real client's at the product's 1200/min limit, so it does not grow with the length of the run.
REST_FRAMEWORK = {
    **_PRODUCT_REST_FRAMEWORK,
    "DEFAULT_THROTTLE_RATES": {"anon": "100000/s", "user": "100000/s"},
}

# WhiteNoise warns once per process when collectstatic has not run; the bench serves no static files.
warnings.filterwarnings("ignore", message=r"No directory at: .*staticfiles", category=UserWarning)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
