"""URLs of the dashboard (namespace ``dashboard``): pages, exports and the JSON endpoints they use."""
from django.urls import include, path

from . import views

app_name = "dashboard"
urlpatterns = [
    path("", views.map_page, name="map"),
    path("risk/", views.risk_page, name="risk"),
    path("kpis/", views.kpi_page, name="kpis"),
    path("ranking/", views.ranking_page, name="ranking"),
    path("ranking.csv", views.ranking_csv, name="ranking-csv"),
    path("ranking.xlsx", views.ranking_xlsx, name="ranking-xlsx"),
    path("outlets/<int:pk>/", views.outlet_chart, name="outlet-chart"),
    path("tracing/", views.tracing_page, name="tracing"),
    path("tracing/<int:pk>/", views.trace_page, name="trace"),
    path("tracing/<int:pk>/open/", views.trace_open, name="trace-open"),
    path("api/", include("dashboard.api.urls")),
]
