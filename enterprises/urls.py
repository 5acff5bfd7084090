"""Web pages of enterprises: the registry import and export (bureau staff)."""
from django.urls import path

from . import registry_views

app_name = "enterprises"
urlpatterns = [
    path("registry/", registry_views.registry_page, name="registry"),
    path("registry/imports/<int:pk>/", registry_views.import_page, name="registry-import"),
    path("registry/imports/<int:pk>/commit/", registry_views.import_commit, name="registry-commit"),
    path("registry/imports/<int:pk>/refused.csv", registry_views.import_problems_csv, name="registry-problems"),
    path("registry/template.xlsx", registry_views.template_xlsx, name="registry-template"),
    path("registry/template/<str:table>.csv", registry_views.template_csv, name="registry-template-csv"),
    path("registry/export.xlsx", registry_views.export_xlsx, name="registry-export"),
]
