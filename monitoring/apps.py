"""App configuration of monitoring."""
from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MonitoringConfig(AppConfig):
    name = "monitoring"
    verbose_name = _("Monitoring and warnings")

    def ready(self):
        from enterprises.signals import outlets_renewed

        from .services.renewal import devices_follow_renewed_outlets

        outlets_renewed.connect(devices_follow_renewed_outlets, dispatch_uid="monitoring:devices_follow_renewal")
