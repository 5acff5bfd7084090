"""URLs of ``enforcement`` (under /enforcement/)."""
from django.urls import path

from . import views

app_name = "enforcement"
urlpatterns = [
    path("enterprises/<int:pk>/", views.enterprise_file, name="enterprise-file"),
    path("strips.csv", views.strips_csv, name="strips-csv"),
    path("strips.geojson", views.strips_geojson, name="strips-geojson"),
    path("plans/", views.plan_detail, name="plan"),
    path("plans/draw/", views.plan_draw, name="plan-draw"),
    path("cases/", views.case_list, name="case-list"),
    path("cases/<int:pk>/", views.case_detail, name="case-detail"),
    path("inspections/<int:pk>/record/", views.on_site_record, name="on-site-record"),
    path("officers/", views.officer_stats, name="officer-stats"),
    path("officers.csv", views.officer_stats_csv, name="officer-stats-csv"),
    path("officers/<int:officer_id>/<str:column>/", views.officer_stat_cell, name="officer-stat-cell"),
    path("positive-list/", views.positive_list, name="positive-list"),
    path("joint/", views.joint_list, name="joint-list"),
    path("joint/<int:pk>/", views.joint_detail, name="joint-detail"),
    path("subsidies.csv", views.subsidy_csv, name="subsidy-csv"),
]
