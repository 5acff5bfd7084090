"""App config of ``alerts``."""
from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AlertsConfig(AppConfig):
    name = "alerts"
    verbose_name = _("Warnings")

    def ready(self):
        from monitoring.signals import windows_recounted

        from .services.withdrawals import on_windows_recounted

        windows_recounted.connect(on_windows_recounted, dispatch_uid="alerts.exceedances_rejudge")
