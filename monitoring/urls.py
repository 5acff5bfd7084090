"""Web pages of monitoring."""
from django.urls import path

from . import code_views, views

app_name = "monitoring"
urlpatterns = [
    path("alerts/", views.alert_list, name="alert-list"),
    path("alerts/<int:pk>/", views.alert_detail, name="alert-detail"),
    path("alerts/<int:pk>/acknowledge/", views.alert_acknowledge, name="alert-acknowledge"),
    path("alerts/<int:pk>/close/", views.alert_close, name="alert-close"),
    path("silences/new/", views.silence_create, name="silence-create"),
    path("silences/<int:pk>/cancel/", views.silence_cancel, name="silence-cancel"),
    path("silences/<int:pk>/decide/", views.silence_decide, name="silence-decide"),
    path("codes/", code_views.held_codes, name="held-codes"),
    path("codes/map/", code_views.held_code_map, name="held-code-map"),
]
