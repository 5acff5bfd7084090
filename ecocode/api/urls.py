"""REST API routes of ecocode under /api/v1/."""
from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("ecocode/codes", views.EcoCodeViewSet, basename="api-ecocode")
router.register("ecocode/colour-changes", views.ColourChangeViewSet, basename="api-ecocode-change")
router.register("ecocode/consequences", views.ColourBandViewSet, basename="api-ecocode-consequence")
router.register("ecocode/objections", views.ObjectionViewSet, basename="api-ecocode-objection")
router.register("ecocode/repairs", views.RepairViewSet, basename="api-ecocode-repair")
urlpatterns = router.urls
