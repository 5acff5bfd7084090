"""REST API routes of enterprises under /api/v1/."""
from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("enterprises", views.EnterpriseViewSet, basename="api-enterprise")
router.register("permits", views.PermitViewSet, basename="api-permit")
router.register("outlets", views.OutletViewSet, basename="api-outlet")
urlpatterns = router.urls
