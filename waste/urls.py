"""Web routes of waste under /waste/."""
from django.urls import path

from . import views

app_name = "waste"
urlpatterns = [
    path("", views.manifest_list, name="manifest-list"),
    path("new/", views.manifest_new, name="manifest-new"),
    path("ledger/", views.ledger, name="ledger"),
    path("<int:pk>/", views.manifest_detail, name="manifest-detail"),
    path("<int:pk>/<slug:step>/", views.manifest_act, name="manifest-act"),
    path("warnings/<int:pk>/acknowledge/", views.alert_acknowledge, name="alert-acknowledge"),
    path("warnings/<int:pk>/close/", views.alert_close, name="alert-close"),
]
