"""App configuration of waste (solid and hazardous waste transfers)."""
from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WasteConfig(AppConfig):
    name = "waste"
    verbose_name = _("Waste transfers")
