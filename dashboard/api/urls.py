"""The JSON endpoints of the dashboard's pages (under /dashboard/api/, namespace ``dashboard``)."""
from django.urls import path

from . import views

urlpatterns = [
    path("map/", views.map_data, name="map-data"),
    path("map/view/", views.map_view, name="map-view"),
    path("enterprises/<int:pk>/", views.enterprise_panel, name="enterprise-panel"),
    path("outlets/<int:pk>/series/", views.outlet_series, name="outlet-series"),
    path("tracing/<int:pk>/", views.trace_candidates, name="trace-candidates"),
]
