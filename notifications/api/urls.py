"""REST routes of notifications under /api/v1/."""
from rest_framework.routers import SimpleRouter

from .views import NotificationViewSet

router = SimpleRouter()
router.register("notifications", NotificationViewSet, basename="api-notification")
urlpatterns = router.urls
