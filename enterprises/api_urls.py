"""REST API routes of enterprises under /api/v1/."""
urlpatterns: list = []
