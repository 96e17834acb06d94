"""docker cannot run here, so the compose file is checked for what can break silently: its shape, and
that every variable it sets is one the settings read and that production settings start with them."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import yaml
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
SUBSTITUTION = re.compile(r"\$\{(\w+)(?::(-|\?)([^}]*))?\}")


def _compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def _resolved(value: str) -> str:
    # As compose would with no .env file: defaults, and a stand-in for required secrets.
    return SUBSTITUTION.sub(lambda m: m.group(3) if m.group(2) == "-" else "secret", value)


def test_compose_has_the_production_services_on_one_image():
    services = _compose()["services"]

    assert set(services) == {"db", "redis", "migrate", "web", "worker", "beat"}
    assert services["db"]["image"].startswith("postgres:")
    assert services["redis"]["image"].startswith("redis:")
    for name in ("migrate", "web", "worker", "beat"):
        assert services[name]["image"] == "crowdplatform:latest"
        assert services[name]["environment"] == services["web"]["environment"]
    assert "gunicorn crowdplatform.wsgi:application" in " ".join(services["web"]["command"])
    assert services["worker"]["command"][:4] == ["celery", "-A", "crowdplatform", "worker"]
    assert services["beat"]["command"][:4] == ["celery", "-A", "crowdplatform", "beat"]


def test_every_compose_variable_is_read_by_the_settings():
    environment = _compose()["services"]["web"]["environment"]
    sources = "".join(p.read_text() for p in (ROOT / "crowdplatform" / "settings").glob("*.py"))

    unread = [name for name in environment if name != "DJANGO_SETTINGS_MODULE" and f'"{name}"' not in sources]

    assert unread == []
    assert environment["DJANGO_SETTINGS_MODULE"] == "crowdplatform.settings.production"


def test_production_settings_start_with_the_compose_environment():
    environment = {k: _resolved(str(v)) for k, v in _compose()["services"]["web"]["environment"].items()}
    probe = (
        "import json, django; from django.conf import settings as s; django.setup(); print(json.dumps(["
        "s.DEBUG, s.DATABASES['default']['ENGINE'], s.DATABASES['default']['HOST'], s.CELERY_BROKER_URL,"
        " s.CACHES['default']['BACKEND'], s.SECRET_KEY, s.SESSION_COOKIE_SECURE, s.ALLOWED_HOSTS]))"
    )
    env = {"PATH": os.environ["PATH"], "CROWD_VAR_DIR": str(ROOT / "var"), **environment}

    result = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )

    assert json.loads(result.stdout.strip().splitlines()[-1]) == [
        False,
        "django.db.backends.postgresql",
        "db",
        "redis://redis:6379/0",
        "django.core.cache.backends.redis.RedisCache",
        "secret",
        True,
        ["localhost", "127.0.0.1"],
    ]


def test_dockerfile_builds_from_python_311_slim_and_serves_with_gunicorn():
    dockerfile = (ROOT / "Dockerfile").read_text()

    assert dockerfile.startswith("# ") and "\nFROM python:3.11-slim\n" in dockerfile
    assert "RUN pip install .\n" in dockerfile
    assert "gunicorn crowdplatform.wsgi:application" in dockerfile


def test_the_image_build_collects_static_files_under_content_hashed_names(tmp_path):
    # when the Dockerfile's collectstatic step runs with the production settings
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "crowdplatform.settings.production",
        "DJANGO_SECRET_KEY": "collectstatic",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'build.sqlite3'}",
        "CELERY_BROKER_URL": "memory://",
        "DJANGO_STATIC_ROOT": str(tmp_path / "static"),
    }
    done = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    # then the worker's stylesheet and scripts have names that change with their content (served with a
    # far-future cache by WhiteNoise), compressed beside them
    paths = json.loads((tmp_path / "static" / "staticfiles.json").read_text())["paths"]
    for name in ("worker/worker.css", "worker/task.js", "worker/countdown.js", "demo/street-001.svg"):
        hashed = paths[name]
        assert hashed != name and (tmp_path / "static" / hashed).exists()
    assert (tmp_path / "static" / (paths["worker/worker.css"] + ".gz")).exists()
