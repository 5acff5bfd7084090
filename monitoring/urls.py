"""Web pages of monitoring."""
app_name = "monitoring"
urlpatterns: list = []
