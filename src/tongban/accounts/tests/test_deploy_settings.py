"""Production settings pass `tongban check --deploy` with no warning."""

import base64
import os
import subprocess
import sys
from pathlib import Path

from cryptography.fernet import Fernet

TONGBAN = [sys.executable, "-m", "tongban"]


def production_env(tmp_path: Path, **overrides) -> dict:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("DATABASE_URL", "REDIS_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"))}
    env.update(
        DEBUG="false",
        HTTPS="true",
        SECRET_KEY=base64.urlsafe_b64encode(os.urandom(48)).decode(),
        ALLOWED_HOSTS="tongban.example.edu.cn",
        FIELD_ENCRYPTION_KEYS=Fernet.generate_key().decode(),
        BLIND_INDEX_KEY=base64.urlsafe_b64encode(os.urandom(32)).decode(),
        TONGBAN_DATA_DIR=str(tmp_path),
    )
    env.update(overrides)
    return {k: v for k, v in env.items() if v is not None}


def check_deploy(env):
    return subprocess.run([*TONGBAN, "check", "--deploy", "--fail-level", "WARNING"], env=env,
                          capture_output=True, text=True, timeout=120)


def test_production_settings_pass_the_deploy_check_with_no_warning(tmp_path):
    result = check_deploy(production_env(tmp_path))
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_the_embedded_defaults_are_not_mistaken_for_production(tmp_path):
    result = check_deploy(production_env(tmp_path, HTTPS="false"))
    assert result.returncode != 0
    assert "security.W004" in result.stderr  # no HSTS


def test_production_refuses_to_run_on_generated_secrets(tmp_path):
    result = check_deploy(production_env(tmp_path, FIELD_ENCRYPTION_KEYS=None))
    assert result.returncode != 0
    assert "FIELD_ENCRYPTION_KEYS" in result.stderr
    assert not (tmp_path / "field_encryption_key").exists()


def test_a_secret_can_come_from_a_file(tmp_path):
    secret = tmp_path / "secret"
    secret.write_text(base64.urlsafe_b64encode(os.urandom(48)).decode())
    env = production_env(tmp_path, SECRET_KEY=None, SECRET_KEY_FILE=str(secret))
    assert check_deploy(env).returncode == 0


def test_a_malformed_setting_fails_loudly(tmp_path):
    result = check_deploy(production_env(tmp_path, DEBUG="perhaps"))
    assert result.returncode != 0
    assert "DEBUG must be true or false" in result.stderr


def test_sessions_are_read_from_redis_when_it_is_shared_and_never_from_a_per_process_cache(tmp_path):
    """Every request reads its session: with Redis (shared by every worker) from the
    cache, falling back to the database; without it from the database, since a
    session ended in one worker would live on in another's per-process cache."""
    def engine(**env):
        result = subprocess.run(
            [*TONGBAN, "shell", "-c", "from django.conf import settings; print(settings.SESSION_ENGINE, "
             "settings.CACHES['default']['BACKEND'])"],
            env=production_env(tmp_path, **env), capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, result.stderr
        return result.stdout.splitlines()[-1].split()  # after the shell's own greeting

    assert engine(REDIS_URL="redis://127.0.0.1:6379/0") == [
        "tongban.accounts.sessions", "django.core.cache.backends.redis.RedisCache"]
    assert engine() == ["django.contrib.sessions.backends.db", "django.core.cache.backends.locmem.LocMemCache"]


def test_production_sends_hsts_secure_cookies_and_a_policy_forbidding_inline_script(tmp_path):
    probe = ("from django.conf import settings as s; "
             "print(s.SECURE_HSTS_SECONDS, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_SSL_REDIRECT, "
             "s.CONTENT_SECURITY_POLICY['DIRECTIVES']['script-src'], "
             "'tongban.accounts.middleware.SecondFactorRequired' in s.MIDDLEWARE)")
    result = subprocess.run([*TONGBAN, "shell", "-c", probe], env=production_env(tmp_path),
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == "31536000 True True True [\"'self'\"] True"
