"""Flipside settings: one module, read from the environment through typed helpers.

Malformed values stop start-up with a message naming the variable (see ``mentoring.env``).
``./flip start`` and ``./flip test`` set DATABASE_URL and REDIS_URL to embedded servers when unset.
"""

from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

from mentoring.env import (
    env_bool,
    env_choice,
    env_int,
    env_list,
    env_str,
    parse_database_url,
    parse_redis_url,
)

BASE_DIR = Path(__file__).resolve().parent.parent

FLIPSIDE_ENV = env_choice("FLIPSIDE_ENV", "development", ("development", "test", "production"))
PRODUCTION = FLIPSIDE_ENV == "production"
DEBUG = env_bool("DJANGO_DEBUG", FLIPSIDE_ENV == "development")

_DEV_SECRET = "flipside-insecure-development-key-never-use-in-production-0123456789"  # noqa: S105 (development only; production refuses it)
SECRET_KEY = env_str("DJANGO_SECRET_KEY", "" if PRODUCTION else _DEV_SECRET)
if PRODUCTION and (len(SECRET_KEY) < 50 or SECRET_KEY == _DEV_SECRET):
    raise ImproperlyConfigured(
        "Environment variable DJANGO_SECRET_KEY must be set to a random value of 50+ characters "
        "in production."
    )

ALLOWED_HOSTS = env_list(
    "DJANGO_ALLOWED_HOSTS", [] if PRODUCTION else ["localhost", "127.0.0.1", "[::1]", "testserver"]
)
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])
SITE_URL = env_str("FLIPSIDE_SITE_URL", "http://127.0.0.1:8000").rstrip("/")

# Our apps, lowest layer first (docs/architecture.md).
PROJECT_APPS = [
    "accounts",
    "organizations",
    "programs",
    "participants",
    "matching",
    "feedback",
    "surveys",
    "dashboards",
    "privacy",
    "webhooks",
    "sso",
    "mentoring",
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    *PROJECT_APPS,
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "core.middleware.RejectUnsafeTextMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "organizations.middleware.OrganizationMiddleware",
    # Inside the organisation's scope: Idempotency-Key on API POSTs.
    "organizations.idempotency.IdempotencyMiddleware",
]

ROOT_URLCONF = "mentoring.urls"
WSGI_APPLICATION = "mentoring.wsgi.application"
ASGI_APPLICATION = "mentoring.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        # A feature folder keeps its templates beside its code: <app>/<feature>/templates/.
        "DIRS": [
            BASE_DIR / "templates",
            *sorted(path for app in PROJECT_APPS for path in BASE_DIR.glob(f"{app}/*/templates")),
        ],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "organizations.context_processors.organization",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------------
_database_url = env_str("DATABASE_URL", "")
if not _database_url:
    raise ImproperlyConfigured(
        "Environment variable DATABASE_URL is not set. Use ./flip start or ./flip test, which start an "
        "embedded PostgreSQL when it is unset, or point it at a PostgreSQL server "
        "(postgres://user:password@host:5432/dbname)."
    )
DATABASES = {
    "default": parse_database_url("DATABASE_URL", _database_url).django(
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60, minimum=0)
    )
}
# Row-level security settings live in each transaction (organizations/scope.py); a server-side
# cursor declared WITH HOLD outlives its transaction and is not allowed behind a transaction-mode
# pooler (PgBouncer) either, so querysets' .iterator() fetches client side.
DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: Celery broker, cache (rate limits), health heartbeat -----------------------------------
_redis_url = env_str("REDIS_URL", "")
if not _redis_url:
    raise ImproperlyConfigured(
        "Environment variable REDIS_URL is not set. Use ./flip start or ./flip test, which start an "
        "embedded Redis when it is unset, or point it at a Redis server (redis://host:6379/0)."
    )
REDIS_URL = parse_redis_url("REDIS_URL", _redis_url)
# The cache gets its own Redis database so that clearing it never touches the Celery queues.
CACHE_URL = parse_redis_url("FLIPSIDE_CACHE_URL", env_str("FLIPSIDE_CACHE_URL", REDIS_URL))


def _redis_database(url: str, database: int) -> str:
    """``url`` with its database number replaced (the path, or ``?db=`` for a unix socket)."""
    parts = urlsplit(url)
    query = [(key, value) for key, value in parse_qsl(parts.query) if key != "db"]
    if parts.scheme == "unix":  # urlunsplit would drop the empty host of unix:///path
        return f"{url.split('?', 1)[0]}?{urlencode([*query, ('db', str(database))])}"
    return urlunsplit(parts._replace(path=f"/{database}", query=urlencode(query)))


# Tests in parallel (pytest-xdist sets PYTEST_XDIST_WORKER=gwN in each of its processes): process N
# gets two Redis databases of its own, 2N+2 for the broker and 2N+3 for the cache, so that one
# process's cache.clear() and Celery purge never touch another's rate-limit counters, heartbeat or
# queued tasks. (pytest-django gives each process its own test database the same way.)
_XDIST_WORKER = env_str("PYTEST_XDIST_WORKER", "")
if _XDIST_WORKER and not PRODUCTION:
    _XDIST_NUMBER = int(_XDIST_WORKER.removeprefix("gw"))
    REDIS_URL = _redis_database(REDIS_URL, 2 * _XDIST_NUMBER + 2)
    CACHE_URL = _redis_database(CACHE_URL, 2 * _XDIST_NUMBER + 3)
_CACHE = {
    "LOCATION": CACHE_URL,
    "KEY_PREFIX": env_str("FLIPSIDE_CACHE_PREFIX", "flipside"),
    # A Redis that restarts refuses at once; one that hangs must not hold a request for long.
    "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
}
CACHES = {
    # Reads miss and writes are dropped while Redis is unreachable: pages keep working (core/cache.py).
    "default": {"BACKEND": "core.cache.ResilientRedisCache", **_CACHE},
    # The same server, raising when unreachable: for code that must tell "missing" from "unknown".
    "strict": {"BACKEND": "django.core.cache.backends.redis.RedisCache", **_CACHE},
}
SESSION_ENGINE = "django.contrib.sessions.backends.db"

# --- Accounts ---------------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if FLIPSIDE_ENV == "test":
    # Hashing strength is irrelevant to the tests and would dominate their run time.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
ACCOUNT_LOGOUT_REDIRECT_URL = "account_login"
ACCOUNT_ADAPTER = "organizations.signup.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Flipside] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if PRODUCTION else "http"
# Behind N proxies of our own, the client's address is the N-th entry from the right of
# X-Forwarded-For; with 0 the header is ignored (anyone can write it). Sign-in limits and API
# throttles read it the same way (core/client_ip.py).
FLIPSIDE_TRUSTED_PROXY_COUNT = env_int("FLIPSIDE_TRUSTED_PROXY_COUNT", 0, minimum=0, maximum=10)
ALLAUTH_TRUSTED_PROXY_COUNT = FLIPSIDE_TRUSTED_PROXY_COUNT
# Sign-in attempts, right or wrong, per address and minute (accounts/signin_limits.py, ATTEMPTS).
FLIPSIDE_LOGIN_ATTEMPTS_PER_MINUTE = env_int(
    "FLIPSIDE_LOGIN_ATTEMPTS_PER_MINUTE", 300, minimum=10, maximum=100_000
)
ACCOUNT_RATE_LIMITS = {
    # Wrong passwords are limited per account and client instead (accounts/signin_limits.py):
    # allauth's per-address and per-account lock-out let a stranger lock anyone out.
    "login_failed": "",
    # Every attempt per address is counted without a lock by accounts/signin_limits.py (ATTEMPTS):
    # allauth's counter answers 429 to whoever waits a second for its per-address lock, which
    # colleagues behind one office address signing in together did under load.
    "login": "",
    "signup": "20/m/ip",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
    "confirm_email": "1/3m/key",
}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Flipside"
FLIPSIDE_OPEN_SIGNUP = env_bool("FLIPSIDE_OPEN_SIGNUP", False)
FLIPSIDE_INVITATION_DAYS = env_int("FLIPSIDE_INVITATION_DAYS", 14, minimum=1, maximum=90)

# --- Email ------------------------------------------------------------------------------------------
_EMAIL_BACKEND = env_str(
    "DJANGO_EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if PRODUCTION
    else "django.core.mail.backends.console.EmailBackend",
)
_EMAIL_OPTIONS: dict[str, object] = {}
if _EMAIL_BACKEND.endswith("smtp.EmailBackend"):
    _EMAIL_OPTIONS = {
        "host": env_str("EMAIL_HOST", "localhost"),
        "port": env_int("EMAIL_PORT", 25, minimum=1, maximum=65535),
        "username": env_str("EMAIL_HOST_USER", ""),
        "password": env_str("EMAIL_HOST_PASSWORD", ""),
        "use_tls": env_bool("EMAIL_USE_TLS", False),
        "timeout": env_int("EMAIL_TIMEOUT", 20, minimum=1),
    }
MAILERS = {"default": {"BACKEND": _EMAIL_BACKEND, "OPTIONS": _EMAIL_OPTIONS}}
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Flipside <noreply@flipside.localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Internationalisation and time -----------------------------------------------------------------
LANGUAGE_CODE = "en-gb"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Static files (WhiteNoise; front-end packages come from npm into node_modules/) ----------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "var" / "staticfiles"
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("vendor/htmx", BASE_DIR / "node_modules" / "htmx.org" / "dist"),
    ("vendor/swagger-ui", BASE_DIR / "node_modules" / "swagger-ui-dist"),
    ("vendor/vega", BASE_DIR / "node_modules" / "vega" / "build"),
    ("vendor/vega-lite", BASE_DIR / "node_modules" / "vega-lite" / "build"),
    ("vendor/vega-embed", BASE_DIR / "node_modules" / "vega-embed" / "build"),
    ("vendor/vega-interpreter", BASE_DIR / "node_modules" / "vega-interpreter" / "build"),
]
# Charts (dashboards/charts.py, static/js/charts.js): vega-interpreter, the CSP-safe evaluator of
# Vega expressions, ships only as an ES module importing "vega-util". This import map names it and
# points "vega-util" at a shim over the vega build the page already loads. It is the one inline
# script allowed: pinned below by its hash, so no other inline script runs.
CHARTS_IMPORT_MAP = json.dumps(
    {
        "imports": {
            "vega-util": STATIC_URL + "js/vega-util.js",
            "vega-interpreter": STATIC_URL + "vendor/vega-interpreter/vega-interpreter.js",
        }
    },
    separators=(",", ":"),
)
_CHARTS_IMPORT_MAP_HASH = base64.b64encode(
    hashlib.sha256(CHARTS_IMPORT_MAP.encode()).digest()
).decode()
# Uploaded and generated files (exports): never served as media, only through their views.
MEDIA_ROOT = env_str("FLIPSIDE_MEDIA_ROOT", str(BASE_DIR / "var" / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = not PRODUCTION

# --- Security ---------------------------------------------------------------------------------------
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, f"'sha256-{_CHARTS_IMPORT_MAP_HASH}'"],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_SECURE = PRODUCTION
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", PRODUCTION)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if PRODUCTION else None
SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 31536000 if PRODUCTION else 0, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = PRODUCTION
SECURE_HSTS_PRELOAD = PRODUCTION
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SILENCED_SYSTEM_CHECKS: list[str] = []

# --- Uploads ----------------------------------------------------------------------------------------
# No uploaded file is stored past this many bytes (core/uploads.py); each form has its own bound
# below it (imports: 5 MB).
FLIPSIDE_MAX_UPLOAD_BYTES = env_int(
    "FLIPSIDE_MAX_UPLOAD_BYTES", 10 * 2**20, minimum=2**20, maximum=200 * 2**20
)
FILE_UPLOAD_HANDLERS = [
    "core.uploads.BoundedUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]

# --- REST API ---------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "organizations.api.authentication.OrganizationTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["organizations.api.permissions.IsOrganizationMember"],
    "DEFAULT_PAGINATION_CLASS": "core.api.pagination.DefaultCursorPagination",
    # Bounded JSON nesting; no NUL or lone surrogate in any body (core.api.parsers).
    "DEFAULT_PARSER_CLASSES": [
        "core.api.parsers.SafeJSONParser",
        "core.api.parsers.SafeFormParser",
        "core.api.parsers.SafeMultiPartParser",
    ],
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "core.api.schema.FlipsideAutoSchema",
    "EXCEPTION_HANDLER": "core.api.errors.exception_handler",
    "DEFAULT_THROTTLE_CLASSES": [
        "core.api.throttling.AnonRateThrottle",
        "core.api.throttling.UserRateThrottle",
    ],
    "NUM_PROXIES": FLIPSIDE_TRUSTED_PROXY_COUNT,
    "DEFAULT_THROTTLE_RATES": {
        "anon": env_str("FLIPSIDE_API_ANON_RATE", "60/min"),
        "user": env_str("FLIPSIDE_API_USER_RATE", "1200/min"),
    },
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Flipside API",
    "DESCRIPTION": "Reverse mentoring programs. Every resource lives under /api/v1/o/<org-slug>/.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": STATIC_URL + "vendor/swagger-ui",
    "SWAGGER_UI_FAVICON_HREF": STATIC_URL + "vendor/swagger-ui/favicon-32x32.png",
    "COMPONENT_SPLIT_REQUEST": True,
    # Several models have "role"/"status" fields with different choices: name each enum.
    "ENUM_NAME_OVERRIDES": {
        "OrganizationRoleEnum": "organizations.models.Role",
        "EnrollmentRoleEnum": "participants.models.EnrollmentRole",
        "EnrollmentStatusEnum": "participants.models.EnrollmentStatus",
        "ProgramStatusEnum": "programs.models.ProgramStatus",
        "ImportStatusEnum": "participants.models.ImportStatus",
        "PairStatusEnum": "matching.models.PairStatus",
        "RoundStatusEnum": "matching.models.RoundStatus",
        "SessionStatusEnum": "feedback.models.SessionStatus",
        "CheckInStatusEnum": "feedback.models.CheckInStatus",
        "GoalStatusEnum": "feedback.models.GoalStatus",
        "SurveyQuestionKindEnum": "surveys.models.QuestionKind",
        "ActionStatusEnum": "feedback.models.ActionStatus",
        "OpenInvitationsDecisionEnum": "participants.onboarding.open_invitations.DECISIONS",
        "ReviewDecisionEnum": "feedback.models.ReviewDecisionKind",
    },
}

# --- Celery (DESIGN.md §6) ---------------------------------------------------------------------------
CELERY_BROKER_URL = REDIS_URL
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = env_int("FLIPSIDE_TASK_TIME_LIMIT", 600, minimum=10)
CELERY_TASK_SOFT_TIME_LIMIT = CELERY_TASK_TIME_LIMIT - 30
# A task not acknowledged within this window is redelivered; it must exceed the longest task.
_VISIBILITY_TIMEOUT = CELERY_TASK_TIME_LIMIT + 300
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": _VISIBILITY_TIMEOUT}
CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {"visibility_timeout": _VISIBILITY_TIMEOUT}
CELERY_VISIBILITY_TIMEOUT = _VISIBILITY_TIMEOUT
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_ALWAYS_EAGER = False
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# Emails printed by the console backend (development) reach the console as they are, not as
# "WARNING celery.redirected" log lines.
CELERY_WORKER_REDIRECT_STDOUTS = not _EMAIL_BACKEND.endswith("console.EmailBackend")
CELERY_WORKER_SEND_TASK_EVENTS = False
CELERY_TIMEZONE = "UTC"
# Two queues, so that long jobs never hold up the minute-by-minute sends: a 10,000-person matching
# round (about a minute of solver time and gigabytes of memory), an import, an export or an
# organisation's nightly pair care goes to "long"; check-in, reminder, survey and invitation sends,
# partner notices and the sweepers stay on the default queue. Each queue has its own worker
# (``./flip start``, docker-compose.yml): with one worker on both, every pool slot can be taken by
# long jobs while a check-in waits behind them. A worker started without ``-Q`` consumes both
# (the embedded worker of the tests).
FLIPSIDE_LONG_QUEUE = "long"
CELERY_TASK_DEFAULT_QUEUE = "celery"
CELERY_TASK_QUEUES: dict[str, dict[str, str]] = {
    CELERY_TASK_DEFAULT_QUEUE: {},
    FLIPSIDE_LONG_QUEUE: {},
}
FLIPSIDE_LONG_TASKS = (
    "matching.run_round",
    "participants.validate_import",
    "participants.commit_import",
    "dashboards.run_export",
    "feedback.compute_engagement",
    "feedback.refresh_engagement",
    "feedback.refresh_program_engagement",
    "feedback.plan_program_check_ins",
    "feedback.plan_pair_check_ins",
    "surveys.plan_program_surveys",
    "privacy.run_person_export",
    "privacy.retention_sweep_organization",
)
CELERY_TASK_ROUTES = {name: {"queue": FLIPSIDE_LONG_QUEUE} for name in FLIPSIDE_LONG_TASKS}
CELERY_BEAT_SCHEDULE = {
    "touchpoint-sweeper": {
        "task": "feedback.sweep_due_touchpoints",
        "schedule": crontab(),  # every minute
        "options": {"expires": 55},
    },
    # Pair care per organisation: resume ended pauses, re-plan check-ins, engagement + nudges.
    "relationships-nightly": {
        "task": "feedback.engagement_nightly",
        "schedule": crontab(hour=2, minute=15),
        "options": {"expires": 3600},
    },
    "idempotency-records": {
        "task": "organizations.purge_idempotency_records",
        "schedule": crontab(minute=17),  # hourly: a key is kept 24 hours
        "options": {"expires": 3000},
    },
    "expired-exports": {
        "task": "dashboards.delete_expired_exports",
        "schedule": crontab(minute=7),  # hourly: export files live 24 hours
        "options": {"expires": 3000},
    },
    # Rounds left running by a worker that died are queued again or failed with a reason.
    "stalled-rounds": {
        "task": "matching.recover_stalled_rounds",
        "schedule": crontab(),
        "options": {"expires": 55},
    },
    # People's data rights: each organisation's retention rules; expired person exports' files.
    "retention-nightly": {
        "task": "privacy.retention_sweep",
        "schedule": crontab(hour=3, minute=40),
        "options": {"expires": 3600},
    },
    "expired-person-exports": {
        "task": "privacy.delete_expired_person_exports",
        "schedule": crontab(minute=17),
        "options": {"expires": 3000},
    },
    # Webhook deliveries and their attempts older than FLIPSIDE_WEBHOOKS_DELIVERY_RETENTION_DAYS.
    "webhook-deliveries-prune": {
        "task": "webhooks.prune_deliveries",
        "schedule": crontab(hour=4, minute=10),
        "options": {"expires": 3600},
    },
    "worker-heartbeat": {
        "task": "mentoring.heartbeat",
        "schedule": crontab(),
        "options": {"expires": 55},
    },
}
# The key of the rotation history that survives erasure (privacy/rotation.py): a pair of which one
# person was erased is kept only as a keyed hash. Set it apart from the secret key, which may be
# rotated: changing this key forgets that history. Unset, the secret key stands in.
# Webhooks (docs/webhooks.md): outside production an endpoint may be plain http and on a private
# address (a receiver on the developer's machine); production refuses both unless told otherwise.
FLIPSIDE_WEBHOOKS_ALLOW_HTTP = env_bool("FLIPSIDE_WEBHOOKS_ALLOW_HTTP", not PRODUCTION)
FLIPSIDE_WEBHOOKS_ALLOW_PRIVATE = env_bool("FLIPSIDE_WEBHOOKS_ALLOW_PRIVATE", not PRODUCTION)
# Single sign-on (sso/): the server reads identity providers' discovery, token, key and metadata
# URLs. Outside production they may be plain http on a private address (a provider on the
# developer's machine, the tests' local IdPs); production asks https and public addresses only
# (core/outbound.py), so an organisation's admin cannot point the server into its own network.
FLIPSIDE_SSO_ALLOW_PRIVATE = env_bool("FLIPSIDE_SSO_ALLOW_PRIVATE", not PRODUCTION)
FLIPSIDE_WEBHOOKS_TIMEOUT_SECONDS = env_int("FLIPSIDE_WEBHOOKS_TIMEOUT_SECONDS", 10, minimum=1)
# Retries wait base * 2^(attempt-1) seconds: 30 s, 1, 2, 4 min with the default.
FLIPSIDE_WEBHOOKS_RETRY_BASE_SECONDS = env_int(
    "FLIPSIDE_WEBHOOKS_RETRY_BASE_SECONDS",
    0 if FLIPSIDE_ENV == "test" else 30,
    minimum=0,
    maximum=120,
)
FLIPSIDE_WEBHOOKS_ATTEMPTS = env_int("FLIPSIDE_WEBHOOKS_ATTEMPTS", 5, minimum=1, maximum=10)
# Deliveries (and their attempts) older than this are deleted nightly (webhooks/retention.py).
FLIPSIDE_WEBHOOKS_DELIVERY_RETENTION_DAYS = env_int(
    "FLIPSIDE_WEBHOOKS_DELIVERY_RETENTION_DAYS", 30, minimum=1, maximum=3650
)

FLIPSIDE_ROTATION_SECRET = env_str("FLIPSIDE_ROTATION_SECRET", "") or SECRET_KEY
FLIPSIDE_HEARTBEAT_KEY = "flipside:worker-heartbeat"
# A worker process's lease lasts this long, renewed every quarter of it; work claimed by a process
# whose lease lapsed is taken back (core/leases.py): touchpoints sent again, rounds resumed.
FLIPSIDE_WORKER_LEASE_SECONDS = env_int(
    "FLIPSIDE_WORKER_LEASE_SECONDS", 60, minimum=2, maximum=3600
)
FLIPSIDE_HEARTBEAT_MAX_AGE = env_int("FLIPSIDE_HEARTBEAT_MAX_AGE", 180, minimum=10)

# --- Logging ----------------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("FLIPSIDE_LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}
