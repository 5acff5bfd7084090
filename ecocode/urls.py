"""Web pages of ecocode under /ecocode/."""
from django.urls import path

from . import views

app_name = "ecocode"
urlpatterns = [
    path("p/<str:token>/", views.public_page, name="public"),
    path("mine/", views.mine, name="mine"),
    path("enterprise/<int:pk>/", views.detail, name="detail"),
    path("enterprise/<int:pk>/rescore/", views.rescore, name="rescore"),
    path("enterprise/<int:pk>/qr.png", views.qr_png, name="qr_png"),
    path("enterprise/<int:pk>/qr.svg", views.qr_svg, name="qr_svg"),
    path("enterprise/<int:pk>/poster/", views.poster, name="poster"),
]
