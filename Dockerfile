FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    DJANGO_SETTINGS_MODULE=config.settings.production

RUN apt-get update \
    && apt-get install -y --no-install-recommends libpq5 curl \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --create-home --uid 1000 openconsult

WORKDIR /app
# The locked run-time set first (its own layer, rebuilt only when the lock file changes); every
# download is checked against the lock's SHA-256.
COPY requirements.txt ./
RUN pip install --require-hashes -r requirements.txt
COPY pyproject.toml README.md ./
COPY config ./config
COPY accounts ./accounts
COPY forum ./forum
COPY triage ./triage
RUN pip install --no-deps .
COPY . .
# collectstatic needs settings to import; these placeholders never reach a running container.
RUN DJANGO_SECRET_KEY=collectstatic-only DJANGO_ALLOWED_HOSTS=localhost \
    CELERY_BROKER_URL=redis://localhost:6379/0 OPENCONSULT_CACHE_URL=redis://localhost:6379/1 \
    OPENCONSULT_SITE_URL=https://localhost \
    python manage.py collectstatic --noinput

USER openconsult
EXPOSE 8000
CMD ["gunicorn", "-c", "config/gunicorn.py", "config.wsgi:application"]
