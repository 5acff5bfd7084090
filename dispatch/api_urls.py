"""REST API routes of dispatch under /api/v1/."""
urlpatterns: list = []
