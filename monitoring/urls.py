"""Web pages of monitoring: the codes devices send that nothing maps yet, and the messages they send
besides readings."""
from django.urls import path

from . import code_views, message_views

app_name = "monitoring"
urlpatterns = [
    path("codes/", code_views.held_codes, name="held-codes"),
    path("codes/map/", code_views.held_code_map, name="held-code-map"),
    path("messages/", message_views.device_messages, name="device-messages"),
]
