"""REST API routes of waste under /api/v1/."""
from django.urls import path
from rest_framework.routers import SimpleRouter

from .views import BulkPositions, ManifestViewSet

router = SimpleRouter()
router.register("waste/manifests", ManifestViewSet, basename="api-waste-manifest")
urlpatterns = [path("waste/gps/bulk/", BulkPositions.as_view(), name="api-waste-gps-bulk"), *router.urls]
