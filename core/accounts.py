"""The password change, shared by the page and the API: Django's ``PasswordChangeForm`` checks the old
password and the new one with ``AUTH_PASSWORD_VALIDATORS``; saving clears the forced change of a seeded
or admin-created account, and the new hash revokes the user's API tokens
(``core.api.authentication.revoke_tokens_on_password_change``)."""
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import PasswordChangeForm
from django.http import HttpResponseRedirect


def password_change_save(form: PasswordChangeForm):
    """Save a valid password change form; the account no longer has to change its password."""
    form.user.must_change_password = False
    return form.save()


class PasswordChangeView(auth_views.PasswordChangeView):
    def form_valid(self, form):
        password_change_save(form)
        update_session_auth_hash(self.request, form.user)
        return HttpResponseRedirect(self.get_success_url())
