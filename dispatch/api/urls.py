"""REST API routes of dispatch under /api/v1/."""
from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("work-orders", views.WorkOrderViewSet, basename="api-work-order")
router.register("feedbacks", views.FeedbackViewSet, basename="api-feedback")
router.register("checklists", views.ChecklistViewSet, basename="api-checklist")
router.register("round-drafts", views.RoundDraftViewSet, basename="api-round-draft")
router.register("rounds", views.RoundViewSet, basename="api-round")
router.register("self-check-notices", views.SelfCheckNoticeViewSet, basename="api-self-check-notice")
router.register("self-check-campaigns", views.CampaignViewSet, basename="api-self-check-campaign")
router.register("complaints", views.ComplaintViewSet, basename="api-complaint")
urlpatterns = router.urls
