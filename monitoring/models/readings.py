"""What the monitoring devices say: devices and stations, readings, half-hour/hourly aggregates and
the log of rejected packets.

``Reading`` is the big table (millions of rows a day at county scale). On PostgreSQL it is a table
partitioned by RANGE on ``observed_at`` (daily partitions, see ``monitoring.services.partitions``);
its primary key is the natural key (device, pollutant, kind, observed_at), so a resent packet is
stored once (``INSERT .. ON CONFLICT DO NOTHING``). Readings are written by
``monitoring.services.ingest`` only, never one row at a time.
"""
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from enterprises.models import Outlet, Pollutant, Township


class DataKind(models.TextChoices):
    """What a reading is, by the HJ 212 command that carried it."""

    REALTIME = "realtime", _("real-time (CN 2011)")
    MINUTE = "minute", _("minute (CN 2051)")
    HOUR = "hour", _("hourly (CN 2061)")
    DAY = "day", _("daily (CN 2031)")
    MANUAL = "manual", _("manual monitoring result")


class ReadingSource(models.TextChoices):
    """Where a reading came from. Manual results have their own kind, so they never take the key of a
    device value and never enter the aggregates: device data always wins."""

    DEVICE_TCP = "tcp", _("device over TCP (HJ 212)")
    DEVICE_REST = "rest", _("device over REST (bulk upload)")
    MANUAL = "manual", _("manual entry")


class DataFlag(models.TextChoices):
    """HJ 212 data flags; only N is valid data that may be compared with a permit limit."""

    NORMAL = "N", _("normal")
    STOPPED = "F", _("instrument stopped")
    MAINTENANCE = "M", _("maintenance")
    MANUAL = "S", _("manually set value")
    FAULT = "D", _("instrument fault")
    CALIBRATION = "C", _("calibration")
    OVER_RANGE = "T", _("above measuring range")
    COMM_FAULT = "B", _("communication fault")


class ProtocolVersion(models.TextChoices):
    V2005 = "2005", _("HJ/T 212-2005")
    V2017 = "2017", _("HJ 212-2017")
    V2025 = "2025", _("HJ 212-2025")


class Station(models.Model):
    """An ambient air-quality or dust monitoring station (not a polluter's outlet). Its readings,
    including wind speed a01007 and direction a01008, go into ``Reading`` through its ``Device``."""

    class Kind(models.TextChoices):
        AIR_QUALITY = "air_quality", _("ambient air quality")
        DUST = "dust", _("dust (construction site / yard)")
        WATER_QUALITY = "water_quality", _("surface water quality")

    code = models.CharField(_("station code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.AIR_QUALITY)
    township = models.ForeignKey(Township, models.PROTECT, related_name="stations", verbose_name=_("township"))
    latitude = models.FloatField(_("latitude"))
    longitude = models.FloatField(_("longitude"))
    address = models.CharField(_("address"), max_length=200, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("monitoring station")
        verbose_name_plural = _("monitoring stations")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


def device_password() -> str:
    """The default password of a new device (see ``monitoring.services.credentials``)."""
    from monitoring.services.credentials import device_password_generate

    return device_password_generate()


class Device(models.Model):
    """A data logger identified by its HJ 212 MN code, bound to an outlet or to a station."""

    mn = models.CharField(_("MN code"), max_length=32, unique=True,
                          help_text=_("The device's unique HJ 212 identifier (14 chars in 2005, 24 in 2017)."))
    # PROTECT: readings reference the device; decommission a device (is_active) rather than delete it.
    outlet = models.ForeignKey(Outlet, models.PROTECT, null=True, blank=True, related_name="devices",
                               verbose_name=_("outlet"))
    station = models.ForeignKey(Station, models.PROTECT, null=True, blank=True, related_name="devices",
                                verbose_name=_("station"))
    protocol_version = models.CharField(_("protocol version"), max_length=4, choices=ProtocolVersion.choices,
                                        default=ProtocolVersion.V2017)
    password = models.CharField(_("access password (PW)"), max_length=32, default=device_password,
                                help_text=_("Generated for each device; packets with another PW are refused."))
    accept_swapped_crc = models.BooleanField(
        _("accept vendor byte-swapped Modbus CRC"), default=False,
        help_text=_("Some data loggers send CRC-16/MODBUS with its bytes swapped; accept it from this device only."))
    is_active = models.BooleanField(_("active"), default=True)
    accepted_packets = models.BigIntegerField(_("accepted packets"), default=0)
    rejected_packets = models.BigIntegerField(_("rejected packets"), default=0)
    stored_readings = models.BigIntegerField(_("stored readings"), default=0,
                                             help_text=_("New readings stored (resends not counted)."))
    last_seen_at = models.DateTimeField(
        _("last accepted data at"), null=True, blank=True,
        help_text=_("The last accepted packet of a data command (real-time, minute, hourly, daily data); what the "
                    "missing-data warning reads."))
    last_contact_at = models.DateTimeField(
        _("last contact at"), null=True, blank=True,
        help_text=_("The last accepted packet of any command, heartbeats and running status included."))
    last_rejected_at = models.DateTimeField(_("last rejected packet at"), null=True, blank=True)
    first_seen_at = models.DateTimeField(_("first accepted packet at"), null=True, blank=True,
                                         help_text=_("Missing data is counted from here, not from before."))
    reporting_interval_minutes = models.PositiveIntegerField(
        _("reporting interval (minutes)"), null=True, blank=True,
        help_text=_("How often the device sends its data (10 for minute data, 60 for an hourly-only logger); "
                    "learnt from the finest data kind it sends."))
    measuring_cycle_minutes = models.PositiveIntegerField(
        _("measuring cycle (minutes)"), null=True, blank=True,
        help_text=_("How often the analyser really measures (COD and ammonia analysers: 60–120 minutes); "
                    "it repeats its last value in between."))

    class Meta:
        ordering = ["mn"]
        verbose_name = _("monitoring device")
        verbose_name_plural = _("monitoring devices")
        constraints = [
            models.CheckConstraint(condition=Q(outlet__isnull=False, station__isnull=True)
                                   | Q(outlet__isnull=True, station__isnull=False),
                                   name="device_bound_to_outlet_or_station"),
        ]

    def __str__(self) -> str:
        return self.mn

    def clean(self):
        if (self.outlet_id is None) == (self.station_id is None):
            raise ValidationError(_("A device is bound to exactly one outlet or one station."))


class Reading(models.Model):
    """One value of one pollutant at one time from one device. Stored once per
    (device, pollutant, kind, observed_at); ``outlet``/``station`` are copied from the device."""

    # No database foreign keys (db_constraint=False): on a partitioned table each one is a constraint and
    # two triggers per partition and a deferred check per row, and ingestion already validates all four
    # (a registered, active device; a pollutant of the code table; outlet and station copied from the
    # device). Deleting what readings point to is refused by ``monitoring.services.reading_guards``.
    pk = models.CompositePrimaryKey("device", "pollutant", "kind", "observed_at")
    device = models.ForeignKey(Device, models.DO_NOTHING, related_name="+", db_index=False, db_constraint=False,
                               verbose_name=_("device"))
    pollutant = models.ForeignKey(Pollutant, models.DO_NOTHING, related_name="+", db_index=False,
                                  db_constraint=False, verbose_name=_("pollutant"))
    kind = models.CharField(_("data kind"), max_length=8, choices=DataKind.choices)
    observed_at = models.DateTimeField(_("observed at"), help_text=_("DataTime of the packet (start of the interval)."))
    outlet = models.ForeignKey(Outlet, models.DO_NOTHING, null=True, blank=True, related_name="+", db_index=False,
                               db_constraint=False, verbose_name=_("outlet"))
    station = models.ForeignKey(Station, models.DO_NOTHING, null=True, blank=True, related_name="+", db_index=False,
                                db_constraint=False, verbose_name=_("station"))
    value = models.FloatField(_("value"), null=True, blank=True,
                              help_text=_("The value compared with limits: the converted (Zs) value when sent, "
                                          "else Avg (interval data) or Rtd (real-time)."))
    rtd = models.FloatField(_("real-time value"), null=True, blank=True)
    avg = models.FloatField(_("average"), null=True, blank=True)
    min = models.FloatField(_("minimum"), null=True, blank=True)
    max = models.FloatField(_("maximum"), null=True, blank=True)
    cou = models.FloatField(_("cumulative emission"), null=True, blank=True)
    zs_rtd = models.FloatField(_("converted real-time value"), null=True, blank=True)
    zs_avg = models.FloatField(_("converted average"), null=True, blank=True)
    zs_min = models.FloatField(_("converted minimum"), null=True, blank=True)
    zs_max = models.FloatField(_("converted maximum"), null=True, blank=True)
    flag = models.CharField(_("data flag"), max_length=1, choices=DataFlag.choices, default=DataFlag.NORMAL)
    sampled_at = models.DateTimeField(_("sampled at"), null=True, blank=True)
    received_at = models.DateTimeField(_("received at"))
    source = models.CharField(_("source"), max_length=8, choices=ReadingSource.choices,
                              default=ReadingSource.DEVICE_TCP, db_default=ReadingSource.DEVICE_TCP)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.DO_NOTHING, null=True, blank=True,
                                   related_name="+", db_index=False, db_constraint=False,
                                   verbose_name=_("entered by"), help_text=_("The user who entered a manual result."))

    class Meta:
        # Only the indexes below: the primary key serves the device, single-column FK indexes would only
        # slow down inserts into this big table.
        verbose_name = _("reading")
        verbose_name_plural = _("readings")
        indexes = [
            models.Index(fields=["outlet", "pollutant", "observed_at"], name="reading_outlet_idx",
                         condition=Q(outlet__isnull=False)),
            models.Index(fields=["station", "pollutant", "observed_at"], name="reading_station_idx",
                         condition=Q(station__isnull=False)),
        ]

    def __str__(self) -> str:
        return f"{self.device_id} {self.pollutant_id} {self.kind} {self.observed_at:%Y-%m-%d %H:%M:%S}"


class Aggregate(models.Model):
    """Half-hour, hourly or daily statistics of one pollutant at one outlet (or station), built as the
    readings arrive from the best data kind the device sent for the window (``kind``): daily data for a
    day, else hourly, else minute, else real-time. Kinds are never mixed: a better kind arriving for a
    window replaces the statistics of a worse one, a worse one arriving later is ignored.
    ``avg``/``min``/``max`` cover valid (flag N) data only; a day starts at local midnight."""

    class Period(models.TextChoices):
        HALF_HOUR = "half_hour", _("half hour")
        HOUR = "hour", _("hour")
        DAY = "day", _("day")

    # No database foreign keys either, for the same reason as readings: ingestion writes the windows from
    # validated readings, and each new window's deferred checks cost the batch's commit (a quarter's daily
    # back-fill of the county opens some 440,000). Deleting an outlet or station with windows is refused by
    # ``monitoring.services.reading_guards``, a pollutant by Django's PROTECT. Nor a single-column index
    # each: the unique indexes below lead with the outlet and the station, and no query looks windows up
    # by pollutant alone (three index entries less per new window).
    outlet = models.ForeignKey(Outlet, models.CASCADE, null=True, blank=True, related_name="aggregates",
                               db_constraint=False, db_index=False, verbose_name=_("outlet"))
    station = models.ForeignKey(Station, models.CASCADE, null=True, blank=True, related_name="aggregates",
                                db_constraint=False, db_index=False, verbose_name=_("station"))
    pollutant = models.ForeignKey(Pollutant, models.PROTECT, related_name="+", db_constraint=False,
                                  db_index=False, verbose_name=_("pollutant"))
    period = models.CharField(_("period"), max_length=10, choices=Period.choices)
    start = models.DateTimeField(_("start of the period"))
    kind = models.CharField(_("built from"), max_length=8, choices=DataKind.choices, default=DataKind.MINUTE,
                            db_default=DataKind.MINUTE)
    count = models.IntegerField(_("readings"), default=0)
    valid_count = models.IntegerField(_("valid readings (flag N)"), default=0)
    sum = models.FloatField(_("sum of valid values"), default=0)
    sum_sin = models.FloatField(_("sum of sines (directions)"), null=True, blank=True,
                                help_text=_("Wind direction only: its average is the direction of the mean "
                                            "unit vector (350° and 10° average to 0°, not 180°)."))
    sum_cos = models.FloatField(_("sum of cosines (directions)"), null=True, blank=True)
    avg = models.FloatField(_("average of valid values"), null=True, blank=True)
    min = models.FloatField(_("minimum of valid values"), null=True, blank=True)
    max = models.FloatField(_("maximum of valid values"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"))

    class Meta:
        verbose_name = _("aggregate")
        verbose_name_plural = _("aggregates")
        constraints = [
            models.UniqueConstraint(fields=["outlet", "pollutant", "period", "start"], name="aggregate_outlet_unique",
                                    condition=Q(outlet__isnull=False)),
            models.UniqueConstraint(fields=["station", "pollutant", "period", "start"],
                                    name="aggregate_station_unique", condition=Q(station__isnull=False)),
            models.CheckConstraint(condition=Q(outlet__isnull=False, station__isnull=True)
                                   | Q(outlet__isnull=True, station__isnull=False),
                                   name="aggregate_outlet_or_station"),
        ]
        indexes = [models.Index(fields=["period", "start"], name="aggregate_period_start_idx")]

    def __str__(self) -> str:
        return f"{self.outlet_id or self.station_id} {self.pollutant_id} {self.period} {self.start:%Y-%m-%d %H:%M}"


class IngestRejection(models.Model):
    """A packet (or bulk row) that was refused, with the reason. Counted on the device when known.

    Bytes the HJ 212 server cannot even frame (garbage, bad length fields, truncated frames) are logged
    as one row per connection and reason, with how many there were (``count``) between ``received_at``
    and ``last_at``; rows are purged after ``INGEST_REJECTION_RETENTION_DAYS``."""

    class Reason(models.TextChoices):
        GARBAGE = "garbage", _("not an HJ 212 frame")
        BAD_LENGTH = "bad_length", _("bad length field")
        TRUNCATED = "truncated", _("truncated frame")
        TOO_LONG = "too_long", _("frame too long")
        BAD_CRC = "bad_crc", _("bad CRC")
        BAD_FIELD = "bad_field", _("bad or missing field")
        BAD_NUMBER = "bad_number", _("bad number")
        BAD_TIME = "bad_time", _("bad or implausible time")
        UNKNOWN_MN = "unknown_mn", _("unknown device (MN)")
        INACTIVE_DEVICE = "inactive", _("device deactivated")
        WRONG_PASSWORD = "wrong_pw", _("wrong password")
        LOCKED_OUT = "locked_out", _("locked out after repeated failures")
        UNKNOWN_POLLUTANT = "unknown_pollutant", _("unknown pollutant code")
        UNSUPPORTED = "unsupported", _("unsupported command")
        FORBIDDEN = "forbidden", _("not allowed for this account")

    device = models.ForeignKey(Device, models.CASCADE, null=True, blank=True, related_name="rejections",
                               verbose_name=_("device"))
    mn = models.CharField(_("MN code as sent"), max_length=64, blank=True)
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices, db_index=True)
    detail = models.CharField(_("detail"), max_length=300, blank=True)
    raw = models.TextField(_("raw excerpt"), blank=True)
    source = models.CharField(_("source"), max_length=64, blank=True,
                              help_text=_("Peer address of a TCP client, or the API user of a bulk upload."))
    received_at = models.DateTimeField(_("received at"), db_index=True)
    count = models.PositiveIntegerField(_("how many"), default=1,
                                        help_text=_("Refusals of this reason on this connection (framing errors)."))
    last_at = models.DateTimeField(_("last one at"), null=True, blank=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = _("rejected packet")
        verbose_name_plural = _("rejected packets")
        indexes = [models.Index(fields=["device", "received_at"], name="rejection_device_idx")]

    def __str__(self) -> str:
        return f"{self.mn or '?'} {self.reason}"
