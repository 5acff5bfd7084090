"""The password change page clears the forced change of a seeded or admin-created account. Django's
form checks the new password with ``AUTH_PASSWORD_VALIDATORS``; the password change itself revokes the
user's API tokens (``core.api.auth.revoke_tokens_on_password_change``)."""
from django.contrib.auth import views as auth_views


class PasswordChangeView(auth_views.PasswordChangeView):
    def form_valid(self, form):
        if getattr(form.user, "must_change_password", False):
            form.user.must_change_password = False
        return super().form_valid(form)
