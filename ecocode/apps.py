"""App configuration of ecocode."""
from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EcocodeConfig(AppConfig):
    name = "ecocode"
    verbose_name = _("Eco-code")
