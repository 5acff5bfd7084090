"""REST API routes of ecocode under /api/v1/."""
from rest_framework.routers import SimpleRouter

from . import api

router = SimpleRouter()
router.register("ecocode/codes", api.EcoCodeViewSet, basename="api-ecocode")
router.register("ecocode/colour-changes", api.ColourChangeViewSet, basename="api-ecocode-change")
router.register("ecocode/consequences", api.ColourBandViewSet, basename="api-ecocode-consequence")
router.register("ecocode/objections", api.ObjectionViewSet, basename="api-ecocode-objection")
router.register("ecocode/repairs", api.RepairViewSet, basename="api-ecocode-repair")
urlpatterns = router.urls
