"""The versioned REST API (/api/v1/): each app contributes its routes in ``<app>/api_urls.py``."""
from django.urls import include, path

urlpatterns = [
    path("", include("enforcement.api.urls")),
    path("", include("enterprises.api_urls")),
    path("", include("monitoring.api_urls")),
    path("", include("ecocode.api_urls")),
    path("", include("dispatch.api_urls")),
    path("", include("outreach.api.urls")),
]
