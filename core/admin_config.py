"""The admin site of the platform.

django-leaflet ships an ``admin`` module that needs GeoDjango (GDAL). The platform keeps
coordinates as plain numbers so it runs on SQLite with no GIS library, and uses leaflet only for
its static files and template tags; so admin modules are discovered for every app but leaflet.
"""
from importlib import import_module

from django.apps import apps
from django.contrib.admin.apps import SimpleAdminConfig
from django.utils.module_loading import module_has_submodule

SKIP_ADMIN_DISCOVERY = {"leaflet"}


class PlatformAdminConfig(SimpleAdminConfig):
    def ready(self):
        super().ready()
        from django.contrib import admin
        from django.utils.translation import gettext_lazy as _

        admin.site.site_header = _("Post-permit enforcement supervision")
        admin.site.site_title = _("Enforcement supervision")
        admin.site.index_title = _("Administration")
        for config in apps.get_app_configs():
            if config.name not in SKIP_ADMIN_DISCOVERY and module_has_submodule(config.module, "admin"):
                import_module(f"{config.name}.admin")
