# The travel CRM as one image: gunicorn serves the site (static files through WhiteNoise);
# the same image runs migrations, the Celery worker and beat, and backups (see
# docker-compose.yml; settings come from the env file, .env.example).
#
#   docker build -t travel-crm .
#
# Debian bookworm pinned, so the PostgreSQL client (pg_dump/pg_restore for backups) is 15,
# the server's version in docker-compose.yml.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app

RUN apt-get update \
    && apt-get install -y --no-install-recommends postgresql-client \
    && rm -rf /var/lib/apt/lists/*

# Runtime dependencies exactly as locked (requirements/runtime.txt: every package pinned
# with its hashes, made by `make lock` from pyproject.toml), before the code, so a code
# change does not reinstall them. All of them come as wheels, so no compiler is needed.
COPY requirements/runtime.txt /tmp/runtime.txt
RUN pip install --require-hashes --no-deps -r /tmp/runtime.txt && rm /tmp/runtime.txt

COPY . .

# Collect static files with the production storage (hashed names + staticfiles.json
# manifest + compressed copies), because that is the storage the containers run with:
# files collected by the development storage would leave no manifest, and every page
# would fail on {% static %}. The key, host and database here exist for this build step
# only (collectstatic connects to no database).
RUN DJANGO_ENV=production SECRET_KEY=build-time-collectstatic-only-not-a-real-secret-0123456789 \
    ALLOWED_HOSTS=localhost DATABASE_URL=postgres://build:build-only@db.invalid:5432/build \
    python manage.py collectstatic --noinput

# Run as an unprivileged user. The code stays owned by root (read-only to the app); the
# user's home holds gunicorn's control socket. Beat keeps its schedule in the database.
RUN useradd --create-home --home-dir /home/crm --uid 10001 --user-group \
        --shell /usr/sbin/nologin crm
# Business archive documents live on a volume mounted here, backups on another.
RUN mkdir -p /data/private_media /data/backups && chown crm:crm /data/private_media /data/backups
USER crm

EXPOSE 8000

CMD ["gunicorn", "config.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3"]
