"""REST routes of notifications under /api/v1/."""
from django.urls import path
from rest_framework.routers import SimpleRouter

from .views import NotificationViewSet, PreferenceView

router = SimpleRouter()
router.register("notifications", NotificationViewSet, basename="api-notification")
urlpatterns = [path("notification-preferences/", PreferenceView.as_view(), name="api-notification-preferences"),
               *router.urls]
