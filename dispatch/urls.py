"""Web pages of dispatch."""
from django.urls import path

from . import views

app_name = "dispatch"
urlpatterns = [
    path("", views.order_list, name="order_list"),
    path("orders/<int:pk>/", views.order_detail, name="order_detail"),
    path("orders/<int:pk>/act/", views.order_act, name="order_act"),
    path("attachments/<int:pk>/", views.attachment, name="attachment"),
    path("complaints/<int:pk>/photo/", views.complaint_photo, name="complaint_photo"),
    path("complain/", views.complain, name="complain"),
    path("c/<str:access_token>/", views.complaint_status, name="complaint_status"),
    path("campaigns/", views.campaigns, name="campaigns"),
    path("complaints/", views.complaint_list, name="complaint_list"),
]
