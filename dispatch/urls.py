"""Web pages of dispatch."""
app_name = "dispatch"
urlpatterns: list = []
