"""Language selection: zh-Hans unless the user chose another language (the language cookie set by
Django's ``set_language`` view). The browser's Accept-Language is not consulted, so a bureau PC
with an English browser still gets the Chinese UI. And the forced password change of a new account."""
from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.urls import reverse
from django.utils import translation

SUPPORTED = {code for code, _ in settings.LANGUAGES}


class DefaultLanguageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        language = chosen if chosen in SUPPORTED else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response


class PasswordChangeRequiredMiddleware:
    """An account whose password was seeded or set by an administrator (``must_change_password``) sees
    only the password change page until it chose its own. API clients are answered by their own checks
    (``core.api.auth``); logout, the language switch and static files stay reachable."""

    ALLOWED_PREFIXES = ("/accounts/password/", "/accounts/logout/", "/i18n/", "/static/", "/api/")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (user is not None and user.is_authenticated and getattr(user, "must_change_password", False)
                and not request.path.startswith(self.ALLOWED_PREFIXES)):
            return redirect_to_login(request.get_full_path(), reverse("password_change"), "next")
        return self.get_response(request)
