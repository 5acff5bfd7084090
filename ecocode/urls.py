"""Web pages of ecocode under /ecocode/."""
from django.urls import path

from . import review_views, views

app_name = "ecocode"
urlpatterns = [
    path("p/<str:token>/", views.public_page, name="public"),
    path("mine/", views.mine, name="mine"),
    path("enterprise/<int:pk>/", views.detail, name="detail"),
    path("enterprise/<int:pk>/rescore/", views.rescore, name="rescore"),
    path("enterprise/<int:pk>/qr.png", views.qr_png, name="qr_png"),
    path("enterprise/<int:pk>/qr.svg", views.qr_svg, name="qr_svg"),
    path("enterprise/<int:pk>/poster/", views.poster, name="poster"),
    path("enterprise/<int:pk>/objections/new/", review_views.objection_new, name="objection_new"),
    path("enterprise/<int:pk>/repairs/new/", review_views.repair_new, name="repair_new"),
    path("records/<str:kind>/<str:ident>/", views.record, name="record"),
    path("reviews/", review_views.review_queue, name="review_queue"),
    path("reviews/<str:kind>/<int:pk>/", review_views.review, name="review"),
    path("attachments/<int:pk>/", review_views.attachment, name="attachment"),
    path("insufficient/", views.insufficient, name="insufficient"),
    path("calibration/", views.calibration_page, name="calibration"),
]
