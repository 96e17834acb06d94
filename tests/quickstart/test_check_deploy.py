"""The production settings pass Django's deployment checklist (``manage.py check --deploy``) with no warning,
and what a TLS-terminating proxy in front needs can be switched by the environment."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent


def _production_env(tmp_path, **extra) -> dict[str, str]:
    return {
        "PATH": os.environ["PATH"],
        "CROWD_VAR_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "crowdplatform.settings.production",
        # A key as `README` tells to make one: 50 random characters.
        "DJANGO_SECRET_KEY": "k3Jq9-Vd0sXb7LrT2wYh5NzPa8MfGc4UeQ1oKiRj6SlAnBtCvDx",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "CELERY_BROKER_URL": "memory://",
        **extra,
    }


def _settings(tmp_path, **extra) -> dict:
    probe = (
        "import json, django; from django.conf import settings as s; django.setup(); print(json.dumps({"
        "'ssl_redirect': s.SECURE_SSL_REDIRECT, 'hsts': s.SECURE_HSTS_SECONDS,"
        " 'subdomains': s.SECURE_HSTS_INCLUDE_SUBDOMAINS, 'preload': s.SECURE_HSTS_PRELOAD,"
        " 'proxy_header': s.SECURE_PROXY_SSL_HEADER, 'secure_cookies': s.SESSION_COOKIE_SECURE}))"
    )
    run = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=ROOT,
        env=_production_env(tmp_path, **extra),
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(run.stdout.strip().splitlines()[-1])


def test_check_deploy_with_the_production_settings_gives_no_warning(tmp_path):
    # when Django's deployment checklist runs on the production settings, warnings counting as failures
    run = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=_production_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
    )
    # then it finds nothing at all
    assert run.returncode == 0, run.stderr + run.stdout
    assert "System check identified no issues (0 silenced)." in run.stdout


def test_production_redirects_to_https_and_sends_hsts_by_default(tmp_path):
    assert _settings(tmp_path) == {
        "ssl_redirect": True,
        "hsts": 31536000,
        "subdomains": True,
        "preload": True,
        "proxy_header": None,
        "secure_cookies": True,
    }


def test_a_tls_terminating_proxy_switches_the_redirect_and_hsts_by_environment(tmp_path):
    # given a proxy that terminates TLS, redirects to HTTPS itself and sets its own HSTS header
    switched = _settings(
        tmp_path,
        DJANGO_BEHIND_HTTPS_PROXY="true",
        DJANGO_SECURE_SSL_REDIRECT="false",
        DJANGO_SECURE_HSTS_SECONDS="0",
    )
    # then the application leaves both to it, and trusts the proxy's X-Forwarded-Proto
    assert switched["ssl_redirect"] is False
    assert switched["hsts"] == 0
    assert switched["proxy_header"] == ["HTTP_X_FORWARDED_PROTO", "https"]
