"""REST API routes of dispatch under /api/v1/."""
from rest_framework.routers import SimpleRouter

from .api import complaints, orders, rounds

router = SimpleRouter()
router.register("work-orders", orders.WorkOrderViewSet, basename="api-work-order")
router.register("feedbacks", orders.FeedbackViewSet, basename="api-feedback")
router.register("checklists", rounds.ChecklistViewSet, basename="api-checklist")
router.register("round-drafts", rounds.RoundDraftViewSet, basename="api-round-draft")
router.register("rounds", rounds.RoundViewSet, basename="api-round")
router.register("self-check-notices", rounds.SelfCheckNoticeViewSet, basename="api-self-check-notice")
router.register("complaints", complaints.ComplaintViewSet, basename="api-complaint")
urlpatterns = router.urls
