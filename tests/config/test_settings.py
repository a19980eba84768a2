from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_production_settings_pass_the_deploy_check_with_zero_issues():
    # A clean environment: nothing the test run itself set may leak into the check.
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")},
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DJANGO_SECRET_KEY": "x" * 20 + "a-long-random-production-secret-key-1234567890",
        "DJANGO_ALLOWED_HOSTS": "openconsult.example",
        "OPENCONSULT_CACHE_URL": "redis://127.0.0.1:6379/1",
    }
    env.pop("DATABASE_URL", None)
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_settings_refuse_to_start_without_a_secret_key():
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env["DJANGO_SETTINGS_MODULE"] = "config.settings.production"
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_production_settings_refuse_to_start_without_a_shared_cache():
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "OPENCONSULT_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        DJANGO_SECRET_KEY="x" * 20 + "a-long-random-production-secret-key-1234567890",
        DJANGO_ALLOWED_HOSTS="openconsult.example",
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode != 0
    assert "OPENCONSULT_CACHE_URL" in result.stderr


def test_the_cache_url_must_be_redis():
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPENCONSULT_")}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.local", OPENCONSULT_CACHE_URL="memcached://x"
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode != 0
    assert "must be a redis:// URL" in result.stderr


def test_no_template_or_stylesheet_loads_anything_from_another_site():
    pattern = re.compile(r"""(src|href)\s*=\s*["'](https?:)?//""", re.I)
    offenders = [
        str(path.relative_to(ROOT))
        for folder in ("templates", "static")
        for path in (ROOT / folder).rglob("*")
        if path.is_file()
        and path.suffix in {".html", ".css", ".js"}
        and pattern.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def test_every_page_carries_a_strict_content_security_policy(client, db):
    policy = client.get("/")["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy


def test_security_txt_names_the_configured_contact(client, settings):
    settings.SECURITY_CONTACT = ""
    assert client.get("/.well-known/security.txt").status_code == 404
    settings.SECURITY_CONTACT = "mailto:security@consult.example.org"
    response = client.get("/.well-known/security.txt")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    lines = response.content.decode().splitlines()
    assert "Contact: mailto:security@consult.example.org" in lines
    assert any(line.startswith("Expires: 20") and line.endswith("Z") for line in lines)


def _database_settings(**env: str) -> str:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    clean.pop("DATABASE_URL", None)
    clean.update(DJANGO_SETTINGS_MODULE="config.settings.local", **env)
    code = (
        "from django.conf import settings; d = settings.DATABASES['default']; "
        "print(d['CONN_MAX_AGE'], d['CONN_HEALTH_CHECKS'])"
    )
    result = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return result.stdout.strip()


def test_postgresql_connections_are_kept_a_minute_and_checked_before_reuse():
    assert _database_settings(DATABASE_URL="postgres://u:p@db:5432/x") == "60 True"
    assert _database_settings(DATABASE_URL="sqlite:///x.sqlite3") == "0 True"
    assert _database_settings(DATABASE_URL="postgres://u:p@db:5432/x", DJANGO_CONN_MAX_AGE="0") == (
        "0 True"
    )
    assert _database_settings(DJANGO_CONN_HEALTH_CHECKS="false") == "0 False"
