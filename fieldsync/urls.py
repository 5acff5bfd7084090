"""Routes of the three mobile page shells (/m/...)."""
from django.urls import path

from .views import page

urlpatterns = [
    path("enterprise/", page, {"client": "enterprise"}, name="mobile-enterprise"),
    path("township/", page, {"client": "township"}, name="mobile-township"),
    path("enforcement/", page, {"client": "enforcement"}, name="mobile-enforcement"),
]
