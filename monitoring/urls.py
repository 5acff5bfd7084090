"""Web pages of monitoring: the codes devices send that nothing maps yet."""
from django.urls import path

from . import code_views

app_name = "monitoring"
urlpatterns = [
    path("codes/", code_views.held_codes, name="held-codes"),
    path("codes/map/", code_views.held_code_map, name="held-code-map"),
]
