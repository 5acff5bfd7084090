"""Web pages of ecocode."""
app_name = "ecocode"
urlpatterns: list = []
