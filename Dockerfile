# Production image: gunicorn for the web, the same image runs the Celery worker and beat.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=crowdplatform.settings.production \
    CROWD_VAR_DIR=/var/lib/crowdplatform \
    DJANGO_STATIC_ROOT=/app/static

WORKDIR /app

# Dependencies first (the project installs no package of its own), so code changes reuse this layer.
COPY pyproject.toml ./
RUN pip install .

COPY . .
RUN useradd --system --home-dir /app --shell /usr/sbin/nologin crowd \
 && mkdir -p "$CROWD_VAR_DIR" \
 && chown -R crowd "$CROWD_VAR_DIR" \
 && DJANGO_SECRET_KEY=collectstatic DATABASE_URL=sqlite:////tmp/build.sqlite3 CELERY_BROKER_URL=memory:// \
    python manage.py collectstatic --noinput \
 && rm -f /tmp/build.sqlite3

USER crowd
EXPOSE 8000
CMD ["sh", "-c", "exec gunicorn crowdplatform.wsgi:application --bind 0.0.0.0:8000 --workers ${WEB_CONCURRENCY:-3} --access-logfile -"]
