"""Users and their roles. A user's role and binding (township, grid or enterprise) decide
what they may see and do; the rules themselves live in ``enterprises.jurisdiction``."""
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .areas import Grid, Township
from .enterprises import Enterprise


class Role(models.TextChoices):
    BUREAU = "bureau", _("bureau staff")
    ENFORCEMENT = "enforcement", _("enforcement officer")
    TOWNSHIP = "township", _("township officer")
    GRID = "grid", _("grid officer")
    ENTERPRISE = "enterprise", _("enterprise account")


class User(AbstractUser):
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.BUREAU, db_index=True)
    township = models.ForeignKey(Township, models.PROTECT, null=True, blank=True, related_name="officers",
                                 verbose_name=_("township"))
    grid = models.ForeignKey(Grid, models.PROTECT, null=True, blank=True, related_name="officers",
                             verbose_name=_("grid"))
    enterprise = models.ForeignKey(Enterprise, models.CASCADE, null=True, blank=True, related_name="accounts",
                                   verbose_name=_("enterprise"))
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    must_change_password = models.BooleanField(
        _("must change password"), default=False,
        help_text=_("Set for seeded and admin-created accounts: the web pages ask for a new password first."))

    class Meta(AbstractUser.Meta):
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(
                name="user_binding_matches_role",
                condition=(
                    Q(role__in=["bureau", "enforcement"], township__isnull=True, grid__isnull=True,
                      enterprise__isnull=True)
                    | Q(role="township", township__isnull=False, grid__isnull=True, enterprise__isnull=True)
                    | Q(role="grid", grid__isnull=False, township__isnull=False, enterprise__isnull=True)
                    | Q(role="enterprise", enterprise__isnull=False, township__isnull=True, grid__isnull=True)
                ),
            ),
        ]

    def clean(self):
        super().clean()
        need = {Role.TOWNSHIP: "township", Role.GRID: "grid", Role.ENTERPRISE: "enterprise"}
        required = need.get(self.role)
        errors = {}
        for field in ("township", "grid", "enterprise"):
            value = getattr(self, f"{field}_id")
            if field == required and value is None:
                errors[field] = _("This role must be bound to a %(field)s.") % {"field": field}
            elif field != required and value is not None and not (self.role == Role.GRID and field == "township"):
                errors[field] = _("This role is not bound to a %(field)s.") % {"field": field}
        if self.role == Role.GRID and self.grid_id:
            if self.township_id is None:
                self.township_id = self.grid.township_id
            elif self.township_id != self.grid.township_id:
                errors["township"] = _("The grid is in another township.")
        if errors:
            raise ValidationError(errors)

    def save(self, *args, **kwargs):
        if self.role == Role.GRID and self.grid_id and self.township_id is None:
            self.township_id = Grid.objects.values_list("township_id", flat=True).get(pk=self.grid_id)
        super().save(*args, **kwargs)
