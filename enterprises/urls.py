"""Web pages of enterprises."""
app_name = "enterprises"
urlpatterns: list = []
