# The travel CRM as one image: gunicorn serves the site (static files through WhiteNoise);
# the same image runs the Celery worker and beat (see docker-compose.yml).
#
#   docker build -t travel-crm .
#   docker run -e SECRET_KEY=... -e ALLOWED_HOSTS=crm.example.com -e DATABASE_URL=... \
#       -e CELERY_BROKER_URL=... -e DJANGO_ENV=production -p 8000:8000 travel-crm
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app

# Runtime dependencies only ([project].dependencies, not the dev extra), read from
# pyproject.toml alone so that a code change does not reinstall them. All of them come as
# wheels (psycopg2-binary included), so no compiler is needed.
COPY pyproject.toml ./
RUN python -c "import tomllib; deps = tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']; open('/tmp/requirements.txt', 'w').write('\n'.join(deps) + '\n')" \
    && pip install -r /tmp/requirements.txt \
    && rm /tmp/requirements.txt

COPY . .

# Collect static files with the production storage (hashed names + staticfiles.json
# manifest + compressed copies), because that is the storage the containers run with:
# files collected by the development storage would leave no manifest, and every page
# would fail on {% static %}. The key and host here exist for this build step only.
RUN DJANGO_ENV=production SECRET_KEY=build-time-collectstatic-only-not-a-real-secret-0123456789 \
    ALLOWED_HOSTS=localhost python manage.py collectstatic --noinput

# Run as an unprivileged user. The code stays owned by root (read-only to the app); the
# user's home holds gunicorn's control socket, and Celery beat keeps its schedule in /tmp.
RUN useradd --create-home --home-dir /home/crm --uid 10001 --user-group \
        --shell /usr/sbin/nologin crm
# Business archive documents live on a volume mounted here (docker-compose.yml).
RUN mkdir -p /data/private_media && chown crm:crm /data/private_media
USER crm

EXPOSE 8000

CMD ["gunicorn", "config.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3"]
