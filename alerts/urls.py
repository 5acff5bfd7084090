"""Web pages of alerts: the warning list and detail, acknowledgement, closing, maintenance windows."""
from django.urls import path

from . import views

app_name = "alerts"
urlpatterns = [
    path("", views.alert_list, name="alert-list"),
    path("<int:pk>/", views.alert_detail, name="alert-detail"),
    path("<int:pk>/acknowledge/", views.alert_acknowledge, name="alert-acknowledge"),
    path("<int:pk>/close/", views.alert_close, name="alert-close"),
    path("silences/new/", views.silence_create, name="silence-create"),
    path("silences/<int:pk>/cancel/", views.silence_cancel, name="silence-cancel"),
    path("silences/<int:pk>/decide/", views.silence_decide, name="silence-decide"),
]
