"""REST routes of alerts under /api/v1/."""
from rest_framework.routers import SimpleRouter

from .views import AlertViewSet, SilenceViewSet

router = SimpleRouter()
router.register("alerts", AlertViewSet, basename="api-alert")
router.register("silences", SilenceViewSet, basename="api-silence")
urlpatterns = router.urls
