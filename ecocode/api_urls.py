"""REST API routes of ecocode under /api/v1/."""
urlpatterns: list = []
