"""REST routes of monitoring under /api/v1/."""
from django.urls import path

from . import views

urlpatterns = [
    path("readings/", views.ReadingList.as_view(), name="api-reading-list"),
    path("readings/bulk/", views.BulkReadings.as_view(), name="api-reading-bulk"),
    path("aggregates/", views.AggregateList.as_view(), name="api-aggregate-list"),
]
