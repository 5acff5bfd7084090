"""URLs of ``enforcement`` (under /enforcement/)."""
from django.urls import path

from . import inspection_views, views

app_name = "enforcement"
urlpatterns = [
    path("enterprises/<int:pk>/", views.enterprise_file, name="enterprise-file"),
    path("strips.csv", views.strips_csv, name="strips-csv"),
    path("strips.geojson", views.strips_geojson, name="strips-geojson"),
    path("plans/", views.plan_detail, name="plan"),
    path("plans/draw/", views.plan_draw, name="plan-draw"),
    path("cases/", views.case_list, name="case-list"),
    path("cases/<int:pk>/", views.case_detail, name="case-detail"),
    path("enterprises/<int:pk>/off-site/", inspection_views.off_site_inspection, name="off-site-new"),
    path("inspections/<int:pk>/record/", inspection_views.inspection_record, name="on-site-record"),
    path("my-records/", inspection_views.my_on_site_records, name="my-records"),
    path("officers/", views.officer_stats, name="officer-stats"),
    path("officers.csv", views.officer_stats_csv, name="officer-stats-csv"),
    path("officers/<int:officer_id>/<str:column>/", views.officer_stat_cell, name="officer-stat-cell"),
    path("positive-list/", views.positive_list, name="positive-list"),
    path("joint/", views.joint_list, name="joint-list"),
    path("joint/<int:pk>/", views.joint_detail, name="joint-detail"),
    path("subsidies.csv", views.subsidy_csv, name="subsidy-csv"),
]
