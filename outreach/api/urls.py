"""REST API routes of outreach under /api/v1/."""
from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("questions", views.QuestionViewSet, basename="api-question")
router.register("faq", views.FaqViewSet, basename="api-faq")
router.register("received-articles", views.ReceivedArticleViewSet, basename="api-received-article")
router.register("exams", views.ExamViewSet, basename="api-exam")
router.register("exam-attempts", views.AttemptViewSet, basename="api-exam-attempt")
urlpatterns = router.urls
