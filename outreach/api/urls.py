"""REST API routes of outreach under /api/v1/."""
urlpatterns = []
