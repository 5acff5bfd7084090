"""App configuration of monitoring."""
from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MonitoringConfig(AppConfig):
    name = "monitoring"
    verbose_name = _("Monitoring and warnings")

    def ready(self):
        from django.db.models.signals import pre_delete

        from enterprises.models import Outlet
        from enterprises.signals import outlets_renewed

        from .models import Device, Station
        from .services import reading_guards
        from .services.renewal import devices_follow_renewed_outlets

        outlets_renewed.connect(devices_follow_renewed_outlets, dispatch_uid="monitoring:devices_follow_renewal")
        # the reading table's foreign keys, checked where they cost nothing per row (reading_guards)
        pre_delete.connect(reading_guards.device_delete_guard, sender=Device, dispatch_uid="monitoring:device_guard")
        pre_delete.connect(reading_guards.outlet_delete_guard, sender=Outlet, dispatch_uid="monitoring:outlet_guard")
        pre_delete.connect(reading_guards.station_delete_guard, sender=Station,
                           dispatch_uid="monitoring:station_guard")
