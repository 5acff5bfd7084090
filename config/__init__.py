"""The Django project: settings, root URLs, the Celery app and its beat schedule, wsgi/asgi.

Nothing imports ``config``; it imports every app (settings name them, urls include them)."""
from .celery import app as celery_app

__all__ = ("celery_app",)
