"""Vehicles and their trajectories. A ``GpsPoint`` is stored once per (vehicle, time): a resent batch
or a terminal's re-sent report stores nothing twice."""
import secrets

from django.db import models
from django.utils.translation import gettext_lazy as _

from enterprises.models import Enterprise


class Vehicle(models.Model):
    """A waste truck of a carrier, with its JT/T 808 terminal (phone number and authentication code)."""

    plate = models.CharField(_("plate"), max_length=16, unique=True)
    carrier = models.ForeignKey(Enterprise, models.PROTECT, related_name="waste_vehicles", verbose_name=_("carrier"))
    terminal_phone = models.CharField(_("terminal phone number"), max_length=20, unique=True, null=True, blank=True,
                                      help_text=_("The JT/T 808 terminal number (digits, leading zeros dropped)."))
    auth_code = models.CharField(_("authentication code"), max_length=32, blank=True,
                                 help_text=_("Given to the terminal on registration (0x8100)."))
    registered_at = models.DateTimeField(_("terminal registered at"), null=True, blank=True)
    last_seen_at = models.DateTimeField(_("last position at"), null=True, blank=True)

    class Meta:
        ordering = ["plate"]
        verbose_name = _("vehicle")
        verbose_name_plural = _("vehicles")

    def __str__(self) -> str:
        return self.plate

    @staticmethod
    def new_auth_code() -> str:
        return secrets.token_hex(8)


class GpsPoint(models.Model):
    """One position of a vehicle. ``speed`` in km/h, ``direction`` in degrees from north."""

    class Source(models.TextChoices):
        JT808 = "jt808", _("JT/T 808 terminal")
        API = "api", _("REST upload")

    vehicle = models.ForeignKey(Vehicle, models.CASCADE, related_name="points", verbose_name=_("vehicle"))
    at = models.DateTimeField(_("time"))
    latitude = models.FloatField(_("latitude"))
    longitude = models.FloatField(_("longitude"))
    speed = models.FloatField(_("speed (km/h)"), default=0)
    direction = models.PositiveSmallIntegerField(_("direction (°)"), default=0)
    altitude = models.IntegerField(_("altitude (m)"), default=0)
    alarm_flags = models.BigIntegerField(_("alarm flags"), default=0)
    status_flags = models.BigIntegerField(_("status flags"), default=0)
    source = models.CharField(_("source"), max_length=8, choices=Source.choices)
    received_at = models.DateTimeField(_("received at"))

    class Meta:
        ordering = ["vehicle", "at"]
        verbose_name = _("GPS point")
        verbose_name_plural = _("GPS points")
        constraints = [models.UniqueConstraint(fields=["vehicle", "at"], name="one_gps_point_per_vehicle_time")]

    def __str__(self) -> str:
        return f"{self.vehicle_id} {self.at:%Y-%m-%d %H:%M:%S}"
