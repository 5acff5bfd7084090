"""REST API routes of ecocode under /api/v1/."""
from rest_framework.routers import SimpleRouter

from . import api

router = SimpleRouter()
router.register("eco-codes", api.EcoCodeViewSet, basename="api-eco-code")
urlpatterns = router.urls
