"""REST API routes of enforcement under /api/v1/."""
from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("cases", views.CaseViewSet, basename="api-case")
router.register("inspections", views.InspectionViewSet, basename="api-inspection")
router.register("planned-inspections", views.PlannedInspectionViewSet, basename="api-planned-inspection")
router.register("joint-inspections", views.JointInspectionViewSet, basename="api-joint-inspection")
router.register("joint-parts", views.JointPartViewSet, basename="api-joint-part")
router.register("device-checks", views.DeviceCheckViewSet, basename="api-device-check")
urlpatterns = router.urls
