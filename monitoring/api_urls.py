"""REST API routes of monitoring under /api/v1/."""
from django.urls import path
from rest_framework.routers import SimpleRouter

from . import api_alerts, api_bulk, api_inbox, api_readings

router = SimpleRouter()
router.register("alerts", api_alerts.AlertViewSet, basename="api-alert")
router.register("notifications", api_inbox.NotificationViewSet, basename="api-notification")
router.register("silences", api_alerts.SilenceViewSet, basename="api-silence")
urlpatterns = [
    path("readings/", api_readings.ReadingList.as_view(), name="api-reading-list"),
    path("readings/bulk/", api_bulk.BulkReadings.as_view(), name="api-reading-bulk"),
    path("aggregates/", api_readings.AggregateList.as_view(), name="api-aggregate-list"),
    *router.urls,
]
