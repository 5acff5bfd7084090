"""REST API routes of enterprises under /api/v1/."""
from rest_framework.routers import SimpleRouter

from . import api

router = SimpleRouter()
router.register("enterprises", api.EnterpriseViewSet, basename="api-enterprise")
router.register("permits", api.PermitViewSet, basename="api-permit")
router.register("outlets", api.OutletViewSet, basename="api-outlet")
urlpatterns = router.urls
