"""Discharge permits and what they allow and require.

A ``Permit`` belongs to an enterprise; its ``Outlet``s carry ``PermitLimit``s per ``Pollutant``;
``MonitoringDuty`` says what the enterprise must measure and how often; ``PermitItem`` and
``TreatmentFacility`` are the other obligations that become checklist lines on patrols.
"""
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .enterprises import Enterprise, ManagementClass


class Medium(models.TextChoices):
    AIR = "air", _("air")
    WATER = "water", _("water")
    NOISE = "noise", _("noise")


class PollutantMedium(models.TextChoices):
    """What a code describes: the media of ``Medium`` and the instrument / data logger itself (i… codes)."""

    AIR = "air", _("air")
    WATER = "water", _("water")
    NOISE = "noise", _("noise")
    DEVICE = "device", _("instrument or data logger")


class Pollutant(models.Model):
    """A code of the HJ 212-2017 appendix tables (pollutant, process parameter or instrument status) with
    the 2005 code where one exists. A 2005 code means this pollutant only on an outlet or station of the
    same medium; ``monitoring.CodeMapping`` overrides it per device."""

    code = models.CharField(_("HJ 212-2017 code"), max_length=16, unique=True)
    code_2005 = models.CharField(_("HJ/T 212-2005 code"), max_length=8, blank=True, db_index=True)
    name = models.CharField(_("name"), max_length=64)
    medium = models.CharField(_("medium"), max_length=8, choices=PollutantMedium.choices)
    unit = models.CharField(_("concentration unit"), max_length=16, blank=True)
    emission_unit = models.CharField(_("emission quantity unit"), max_length=8, blank=True,
                                     help_text=_("Unit of the cumulative emission (-Cou) of the interval."))
    note = models.CharField(_("note"), max_length=200, blank=True,
                            help_text=_("e.g. the value list of a status code."))
    is_parameter = models.BooleanField(_("process parameter (no limit)"), default=False,
                                       help_text=_("Flow, O2, temperature and the like: monitored, not limited."))

    class Meta:
        ordering = ["code"]
        verbose_name = _("pollutant")
        verbose_name_plural = _("pollutants")

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class Permit(models.Model):
    class Status(models.TextChoices):
        VALID = "valid", _("valid")
        EXPIRED = "expired", _("expired")
        SUSPENDED = "suspended", _("suspended")
        REVOKED = "revoked", _("revoked")

    enterprise = models.ForeignKey(Enterprise, models.CASCADE, related_name="permits", verbose_name=_("enterprise"))
    number = models.CharField(_("permit number"), max_length=32, unique=True)
    management_class = models.CharField(_("management class"), max_length=16, choices=ManagementClass.choices)
    issued_on = models.DateField(_("issued on"))
    valid_from = models.DateField(_("valid from"))
    expires_on = models.DateField(_("expires on"))
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.VALID, db_index=True)
    issuing_authority = models.CharField(_("issuing authority"), max_length=100, blank=True)

    class Meta:
        ordering = ["-issued_on"]
        verbose_name = _("discharge permit")
        verbose_name_plural = _("discharge permits")
        constraints = [
            models.CheckConstraint(condition=Q(expires_on__gt=models.F("valid_from")),
                                   name="permit_expires_after_valid_from"),
            models.CheckConstraint(condition=Q(valid_from__gte=models.F("issued_on")),
                                   name="permit_valid_from_not_before_issue"),
        ]

    def __str__(self) -> str:
        return self.number

    def clean(self):
        errors = {}
        if self.issued_on and self.valid_from and self.valid_from < self.issued_on:
            errors["valid_from"] = _("A permit cannot be valid before it is issued.")
        if self.valid_from and self.expires_on and self.expires_on <= self.valid_from:
            errors["expires_on"] = _("The expiry date must be after the start of validity.")
        if errors:
            raise ValidationError(errors)


class Outlet(models.Model):
    """A discharge outlet (排放口): a stack, a wastewater outfall or a noise source."""

    permit = models.ForeignKey(Permit, models.CASCADE, related_name="outlets", verbose_name=_("permit"))
    enterprise = models.ForeignKey(Enterprise, models.CASCADE, related_name="outlets", verbose_name=_("enterprise"))
    code = models.CharField(_("outlet code"), max_length=16, help_text=_("e.g. DA001 for air, DW001 for water"))
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=8, choices=Medium.choices)
    is_main = models.BooleanField(_("main outlet"), default=False)
    online_monitored = models.BooleanField(_("online monitoring installed"), default=False)
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    height_m = models.FloatField(_("stack height (m)"), null=True, blank=True, validators=[MinValueValidator(0)])
    receiving_water = models.CharField(_("receiving water body"), max_length=100, blank=True)

    class Meta:
        ordering = ["enterprise", "code"]
        verbose_name = _("outlet")
        verbose_name_plural = _("outlets")
        constraints = [models.UniqueConstraint(fields=["permit", "code"], name="outlet_code_unique_per_permit")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def clean(self):
        if self.permit_id and self.enterprise_id and self.permit.enterprise_id != self.enterprise_id:
            raise ValidationError({"permit": _("The permit belongs to another enterprise.")})


class AveragingPeriod(models.TextChoices):
    INSTANT = "instant", _("instantaneous")
    HALF_HOUR = "half_hour", _("half-hour average")
    HOUR = "hour", _("hourly average")
    DAY = "day", _("daily average")


class PermitLimit(models.Model):
    """A permitted emission limit of one pollutant at one outlet."""

    outlet = models.ForeignKey(Outlet, models.CASCADE, related_name="limits", verbose_name=_("outlet"))
    pollutant = models.ForeignKey(Pollutant, models.PROTECT, related_name="limits", verbose_name=_("pollutant"))
    limit_value = models.DecimalField(_("limit value"), max_digits=12, decimal_places=4,
                                      validators=[MinValueValidator(0.0001)])
    lower_limit = models.DecimalField(_("lower limit"), max_digits=12, decimal_places=4, null=True, blank=True,
                                      help_text=_("Only for ranges such as pH 6-9."))
    unit = models.CharField(_("unit"), max_length=16, blank=True)
    averaging_period = models.CharField(_("averaging period"), max_length=16, choices=AveragingPeriod.choices,
                                        default=AveragingPeriod.HOUR)
    standard = models.CharField(_("emission standard"), max_length=100, blank=True)
    annual_quantity = models.DecimalField(_("annual permitted quantity (t/a)"), max_digits=14, decimal_places=4,
                                          null=True, blank=True, validators=[MinValueValidator(0)])

    class Meta:
        ordering = ["outlet", "pollutant"]
        verbose_name = _("permit limit")
        verbose_name_plural = _("permit limits")
        constraints = [
            models.UniqueConstraint(fields=["outlet", "pollutant"], name="one_limit_per_outlet_pollutant"),
            models.CheckConstraint(condition=Q(limit_value__gt=0), name="limit_value_positive"),
            models.CheckConstraint(condition=Q(lower_limit__isnull=True) | Q(lower_limit__lt=models.F("limit_value")),
                                   name="lower_limit_below_limit"),
        ]

    def __str__(self) -> str:
        return f"{self.outlet.code} {self.pollutant.code} ≤ {self.limit_value} {self.unit}"

    def clean(self):
        if self.limit_value is not None and self.limit_value <= 0:
            raise ValidationError({"limit_value": _("A limit must be greater than zero.")})
        if self.lower_limit is not None and self.limit_value is not None and self.lower_limit >= self.limit_value:
            raise ValidationError({"lower_limit": _("The lower limit must be below the limit.")})


class MonitoringDuty(models.Model):
    """A self-monitoring duty of the permit: what is measured, where, how and how often."""

    class Method(models.TextChoices):
        ONLINE = "online", _("online (automatic)")
        MANUAL = "manual", _("manual sampling")

    class Frequency(models.TextChoices):
        CONTINUOUS = "continuous", _("continuous")
        DAILY = "daily", _("daily")
        WEEKLY = "weekly", _("weekly")
        MONTHLY = "monthly", _("monthly")
        QUARTERLY = "quarterly", _("quarterly")
        SEMIANNUAL = "semiannual", _("semi-annually")
        ANNUAL = "annual", _("annually")

    permit = models.ForeignKey(Permit, models.CASCADE, related_name="monitoring_duties", verbose_name=_("permit"))
    outlet = models.ForeignKey(Outlet, models.CASCADE, related_name="monitoring_duties", verbose_name=_("outlet"),
                               null=True, blank=True)
    pollutant = models.ForeignKey(Pollutant, models.PROTECT, related_name="duties", verbose_name=_("pollutant"))
    method = models.CharField(_("method"), max_length=8, choices=Method.choices)
    frequency = models.CharField(_("frequency"), max_length=16, choices=Frequency.choices)

    class Meta:
        verbose_name = _("self-monitoring duty")
        verbose_name_plural = _("self-monitoring duties")

    def __str__(self) -> str:
        return f"{self.pollutant.code} {self.get_method_display()} {self.get_frequency_display()}"


class PermitItem(models.Model):
    """Any other obligation in the permit; each becomes a checklist line on a patrol."""

    class Category(models.TextChoices):
        FACILITY = "facility", _("treatment facility")
        SOLID_WASTE = "solid_waste", _("solid waste")
        HAZARDOUS_WASTE = "hazardous_waste", _("hazardous waste")
        NOISE = "noise", _("noise")
        RECORDS = "records", _("environmental records (ledger)")
        REPORTING = "reporting", _("execution reports")
        MONITORING = "monitoring", _("self-monitoring")
        INFORMATION = "information", _("information disclosure")
        OTHER = "other", _("other")

    permit = models.ForeignKey(Permit, models.CASCADE, related_name="items", verbose_name=_("permit"))
    category = models.CharField(_("category"), max_length=24, choices=Category.choices)
    title = models.CharField(_("title"), max_length=200)
    requirement = models.TextField(_("requirement"), blank=True)

    class Meta:
        ordering = ["permit", "category", "id"]
        verbose_name = _("permit item")
        verbose_name_plural = _("permit items")

    def __str__(self) -> str:
        return self.title


class TreatmentFacility(models.Model):
    """A pollution-control facility (治理设施) serving one outlet."""

    permit = models.ForeignKey(Permit, models.CASCADE, related_name="facilities", verbose_name=_("permit"))
    outlet = models.ForeignKey(Outlet, models.CASCADE, related_name="facilities", verbose_name=_("outlet"),
                               null=True, blank=True)
    name = models.CharField(_("name"), max_length=100)
    process = models.CharField(_("treatment process"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("treatment facility")
        verbose_name_plural = _("treatment facilities")

    def __str__(self) -> str:
        return self.name


class ExecutionReport(models.Model):
    """A permit execution report (执行报告) that the enterprise owes for a period."""

    class Kind(models.TextChoices):
        ANNUAL = "annual", _("annual")
        QUARTERLY = "quarterly", _("quarterly")
        MONTHLY = "monthly", _("monthly")

    permit = models.ForeignKey(Permit, models.CASCADE, related_name="reports", verbose_name=_("permit"))
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    due_on = models.DateField(_("due on"))
    submitted_on = models.DateField(_("submitted on"), null=True, blank=True)
    is_complete = models.BooleanField(_("complete"), default=False)

    class Meta:
        ordering = ["-period_end"]
        verbose_name = _("execution report")
        verbose_name_plural = _("execution reports")
        constraints = [
            models.UniqueConstraint(fields=["permit", "kind", "period_start"], name="one_report_per_period"),
            models.CheckConstraint(condition=Q(period_end__gte=models.F("period_start")), name="report_period_order"),
        ]

    def __str__(self) -> str:
        return f"{self.permit.number} {self.get_kind_display()} {self.period_start:%Y-%m}"
