"""Settings for the load benchmark's gunicorn: production settings, with the QR page's per-IP view limit
lifted (every locust client comes from 127.0.0.1; the limiter's Redis counter still runs on every view)."""
from config.settings import *  # noqa: F401,F403

ECOCODE_PUBLIC_VIEWS_PER_MINUTE = 10 ** 9
