"""The versioned REST API (/api/v1/): each app contributes its routes in ``<app>/api/urls.py``."""
from django.urls import include, path

urlpatterns = [
    path("", include("core.api.urls")),
    path("", include("enterprises.api.urls")),
    path("", include("monitoring.api.urls")),
    path("", include("alerts.api.urls")),
    path("", include("notifications.api.urls")),
    path("", include("ecocode.api.urls")),
    path("", include("dispatch.api.urls")),
    path("", include("waste.api.urls")),
    path("", include("outreach.api.urls")),
]
