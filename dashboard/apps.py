"""App configuration of the dashboard (no models of its own: it reads the other apps)."""
from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardConfig(AppConfig):
    name = "dashboard"
    verbose_name = _("dashboard")
