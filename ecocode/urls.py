"""Web pages of ecocode under /ecocode/."""
from django.urls import path

from .views import public, reviews, staff

app_name = "ecocode"
urlpatterns = [
    path("p/<str:token>/", public.public_page, name="public"),
    path("mine/", staff.mine, name="mine"),
    path("enterprise/<int:pk>/", staff.detail, name="detail"),
    path("enterprise/<int:pk>/rescore/", staff.rescore, name="rescore"),
    path("enterprise/<int:pk>/qr.png", staff.qr_png, name="qr_png"),
    path("enterprise/<int:pk>/qr.svg", staff.qr_svg, name="qr_svg"),
    path("enterprise/<int:pk>/poster/", staff.poster, name="poster"),
    path("enterprise/<int:pk>/objections/new/", reviews.objection_new, name="objection_new"),
    path("enterprise/<int:pk>/repairs/new/", reviews.repair_new, name="repair_new"),
    path("records/<str:kind>/<str:ident>/", staff.record, name="record"),
    path("reviews/", reviews.review_queue, name="review_queue"),
    path("reviews/<str:kind>/<int:pk>/", reviews.review, name="review"),
    path("attachments/<int:pk>/", reviews.attachment, name="attachment"),
    path("insufficient/", staff.insufficient, name="insufficient"),
    path("calibration/", staff.calibration_page, name="calibration"),
]
