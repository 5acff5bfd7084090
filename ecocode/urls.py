"""Web pages of ecocode under /ecocode/."""
from django.urls import path

from .views import public, staff

app_name = "ecocode"
urlpatterns = [
    path("p/<str:token>/", public.public_page, name="public"),
    path("mine/", staff.mine, name="mine"),
    path("enterprise/<int:pk>/", staff.detail, name="detail"),
    path("enterprise/<int:pk>/rescore/", staff.rescore, name="rescore"),
    path("enterprise/<int:pk>/qr.png", staff.qr_png, name="qr_png"),
    path("enterprise/<int:pk>/qr.svg", staff.qr_svg, name="qr_svg"),
    path("enterprise/<int:pk>/poster/", staff.poster, name="poster"),
]
