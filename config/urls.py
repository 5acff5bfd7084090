"""Top-level URL map: admin, each app's pages, the REST API and its schema."""
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from core.accounts import PasswordChangeView
from dashboard.views import home

urlpatterns = [
    path("", home, name="home"),
    path("admin/", admin.site.urls),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", PasswordChangeView.as_view(), name="password_change"),
    path("accounts/password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("enterprises/", include("enterprises.urls")),
    path("alerts/", include("alerts.urls")),
    path("monitoring/", include("monitoring.urls")),
    path("ecocode/", include("ecocode.urls")),
    path("dispatch/", include("dispatch.urls")),
    path("enforcement/", include("enforcement.urls")),
    path("dashboard/", include("dashboard.urls")),
    path("waste/", include("waste.urls")),
    path("outreach/", include("outreach.urls")),
    path("notifications/", include("notifications.urls")),
    path("m/", include("fieldsync.urls")),
    path("api/v1/", include("config.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
]

handler403 = "core.http_errors.permission_denied"
handler404 = "core.http_errors.page_not_found"
handler500 = "core.http_errors.server_error"
