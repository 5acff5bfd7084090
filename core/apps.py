"""App config of ``core`` (it owns one model: ``IdempotencyRecord``)."""
from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = _("Platform core")

    def ready(self):
        from django.conf import settings
        from django.db.models.signals import pre_save

        from .api.authentication import revoke_tokens_on_password_change

        pre_save.connect(revoke_tokens_on_password_change, sender=settings.AUTH_USER_MODEL,
                         dispatch_uid="core.revoke_tokens_on_password_change")
