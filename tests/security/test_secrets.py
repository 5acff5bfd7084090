"""Secrets come only from the environment: no secret-looking literal in the settings, and production
settings take the secret key, database, Redis and mail credentials from environment variables.
(tests/test_deploy_check.py proves production refuses to start without DJANGO_SECRET_KEY.)"""
import ast
import json
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SETTINGS = ROOT / "config" / "settings.py"
SECRET_NAME = re.compile(r"SECRET|PASSWORD|PASSWD|TOKEN|API_KEY|PRIVATE|CREDENTIAL", re.I)
NOT_SECRETS = re.compile(r"_VALIDATORS$|_HASHERS$|_TTL$")  # a lifetime is no secret
RANDOM_LOOKING = re.compile(r"^(?=.*[a-z])(?=.*[A-Z0-9])[A-Za-z0-9+/=_-]{24,}$")
CREDENTIALS_IN_URL = re.compile(r"\w+://[^/\s:@]+:[^/\s@]+@")
# The one literal allowed: the development key used only when DEBUG is on (production refuses to start).
DEV_KEY = "embedded-development-key-not-for-production"


def _from_environment(node) -> bool:
    """True for os.environ.get(...), os.environ[...] and os.getenv(...), or an empty/None default."""
    text = ast.unparse(node)
    return text.startswith(("os.environ", "os.getenv", "env_")) or text in ("''", "None")


def test_no_secret_literal_in_the_settings():
    tree = ast.parse(SETTINGS.read_text())
    problems = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign):
            names = [t.id for t in node.targets if isinstance(t, ast.Name)]
            secret = [n for n in names if SECRET_NAME.search(n) and not NOT_SECRETS.search(n)]
            if secret and not _from_environment(node.value):
                if not (isinstance(node.value, ast.Constant) and node.value.value == DEV_KEY):
                    problems.append(f"line {node.lineno}: {ast.unparse(node)}")
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and CREDENTIALS_IN_URL.search(node.value):
            problems.append(f"line {node.lineno}: credentials in a URL literal")
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and RANDOM_LOOKING.match(node.value):
            problems.append(f"line {node.lineno}: a key-like literal")
    assert not problems


def test_the_dev_key_is_used_only_when_debug_is_on():
    source = SETTINGS.read_text()
    assert source.count(DEV_KEY) == 1
    assert 'raise RuntimeError("DJANGO_SECRET_KEY must be set when DJANGO_DEBUG=0")' in source


def test_production_settings_take_their_secrets_from_the_environment(tmp_path):
    env = {"DJANGO_DEBUG": "0", "DJANGO_SECRET_KEY": "k" * 50, "DJANGO_ALLOWED_HOSTS": "enforcement.example.cn",
           "DATABASE_URL": "postgres://enf:db-pass-from-env@db.internal:5432/enforcement",
           "REDIS_URL": "redis://:redis-pass-from-env@cache.internal:6379/0",
           "EMAIL_HOST": "smtp.internal", "EMAIL_HOST_USER": "mailer", "EMAIL_HOST_PASSWORD": "mail-pass-from-env",
           "ENFORCEMENT_DATA_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"}
    code = ("import json, django; from django.conf import settings; django.setup(); d = settings.DATABASES['default'];"
            "print(json.dumps([settings.SECRET_KEY, d['USER'], d['PASSWORD'], d['HOST'], settings.CACHES['default']"
            "['LOCATION'], settings.CELERY_BROKER_URL, settings.EMAIL_HOST_USER, settings.EMAIL_HOST_PASSWORD,"
            "settings.DEBUG]))")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120,
                            env={**env, "DJANGO_SETTINGS_MODULE": "config.settings"})
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1]) == [
        "k" * 50, "enf", "db-pass-from-env", "db.internal", env["REDIS_URL"], env["REDIS_URL"], "mailer",
        "mail-pass-from-env", False]
