# syntax=docker/dockerfile:1.7
# Flipside's production image. One image runs every process of docker-compose.yml: migrate (one-off),
# web (gunicorn), worker (Celery) and beat (Celery beat); the compose file picks the command.

ARG PYTHON_VERSION=3.12
ARG NODE_VERSION=22

# --- Front-end packages (htmx, swagger-ui-dist) from package-lock.json ------------------------------
FROM node:${NODE_VERSION}-bookworm-slim AS frontend
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error

# --- The application ------------------------------------------------------------------------------
FROM python:${PYTHON_VERSION}-slim AS app

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_PYTHON_DOWNLOADS=never \
    UV_PROJECT_ENVIRONMENT=/opt/venv \
    PATH=/opt/venv/bin:$PATH

RUN pip install --no-cache-dir "uv==0.13.9"

# Pango and a font for WeasyPrint (the impact report's PDF, dashboards/report/pdf.py).
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app

# Dependencies first (their layer is reused until uv.lock changes); dev tools stay out (--no-dev).
COPY pyproject.toml uv.lock ./
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --frozen --no-default-groups --no-install-project

# node_modules stays in the image: settings list its folders in STATICFILES_DIRS.
COPY --from=frontend /app/node_modules ./node_modules
COPY . .

# Static files are collected at build time and served by WhiteNoise (hashed names, compressed).
# Settings need a database, Redis and a secret to load: placeholders that nothing connects to.
RUN FLIPSIDE_ENV=production \
    DATABASE_URL=postgres://build:build@build.invalid:5432/build \
    REDIS_URL=redis://build.invalid:6379/0 \
    DJANGO_SECRET_KEY=build-time-placeholder-only-used-by-collectstatic-000000000000 \
    python manage.py collectstatic --noinput --verbosity 0

RUN python -m compileall -q -x "node_modules" /app

# Run as an unprivileged user. /var/lib/flipside/beat holds beat's schedule file: a volume in compose,
# which takes this folder's owner when it is first created.
RUN useradd --system --uid 10001 --user-group --home-dir /var/lib/flipside --create-home flipside \
    && install -d -o flipside -g flipside /var/lib/flipside/beat
USER flipside

ENV FLIPSIDE_ENV=production \
    WEB_CONCURRENCY=2
EXPOSE 8000

CMD ["gunicorn", "mentoring.wsgi", "--config", "python:mentoring.gunicorn_conf", "--bind", "0.0.0.0:8000", "--threads", "4", "--access-logfile", "-"]
