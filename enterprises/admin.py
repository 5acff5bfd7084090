"""Admin for bureau staff: areas, enterprises with their permits, outlets and limits, users."""
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import AdminPasswordChangeForm
from django.utils.translation import gettext_lazy as _

from .models import (
    County,
    Enterprise,
    ExecutionReport,
    Grid,
    Industry,
    MonitoringDuty,
    Outlet,
    Permit,
    PermitItem,
    PermitLimit,
    Pollutant,
    Township,
    TreatmentFacility,
    User,
    Village,
)


@admin.register(County)
class CountyAdmin(admin.ModelAdmin):
    list_display = ("code", "name")


class VillageInline(admin.TabularInline):
    model = Village
    fields = ("code", "name", "latitude", "longitude")
    extra = 0
    show_change_link = True


@admin.register(Township)
class TownshipAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "kind", "county")
    list_filter = ("kind",)
    search_fields = ("code", "name")
    inlines = [VillageInline]


@admin.register(Village)
class VillageAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "township")
    list_filter = ("township",)
    search_fields = ("code", "name")


@admin.register(Grid)
class GridAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "village", "township")
    list_filter = ("township",)
    search_fields = ("code", "name", "village__name")
    list_select_related = ("village", "township")


@admin.register(Industry)
class IndustryAdmin(admin.ModelAdmin):
    list_display = ("code", "name")
    search_fields = ("code", "name")


@admin.register(Pollutant)
class PollutantAdmin(admin.ModelAdmin):
    list_display = ("code", "code_2005", "name", "medium", "unit", "is_parameter")
    list_filter = ("medium", "is_parameter")
    search_fields = ("code", "code_2005", "name")


class PermitInline(admin.TabularInline):
    model = Permit
    fields = ("number", "management_class", "issued_on", "valid_from", "expires_on", "status")
    extra = 0
    show_change_link = True


class EnterpriseAccountInline(admin.TabularInline):
    model = User
    fk_name = "enterprise"
    fields = ("username", "first_name", "phone", "is_active")
    extra = 0
    show_change_link = True
    verbose_name = _("enterprise account")
    verbose_name_plural = _("enterprise accounts")


@admin.register(Enterprise)
class EnterpriseAdmin(admin.ModelAdmin):
    list_display = ("name", "credit_code", "industry", "management_class", "township", "status")
    list_filter = ("management_class", "status", "township", "industry__code")
    search_fields = ("name", "credit_code", "address", "contact_name")
    list_select_related = ("industry", "township")
    autocomplete_fields = ("industry",)
    raw_id_fields = ("village", "grid")
    inlines = [PermitInline, EnterpriseAccountInline]
    fieldsets = (
        (None, {"fields": ("credit_code", "name", "industry", "management_class", "status")}),
        (_("Location"), {"fields": ("address", ("latitude", "longitude"), "township", "village", "grid")}),
        (_("Contacts"), {"fields": ("legal_representative", "contact_name", "contact_phone", "contact_email")}),
    )


class OutletInline(admin.TabularInline):
    model = Outlet
    fields = ("code", "name", "kind", "is_main", "online_monitored", "latitude", "longitude")
    extra = 0
    show_change_link = True


class MonitoringDutyInline(admin.TabularInline):
    model = MonitoringDuty
    fields = ("outlet", "pollutant", "method", "frequency")
    autocomplete_fields = ("pollutant",)
    extra = 0

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        if obj is not None:
            formset.form.base_fields["outlet"].queryset = obj.outlets.all()
        return formset


class PermitItemInline(admin.TabularInline):
    model = PermitItem
    fields = ("category", "title", "requirement")
    extra = 0


class TreatmentFacilityInline(admin.TabularInline):
    model = TreatmentFacility
    fields = ("name", "process", "outlet")
    extra = 0


class ExecutionReportInline(admin.TabularInline):
    model = ExecutionReport
    fields = ("kind", "period_start", "period_end", "due_on", "submitted_on", "is_complete")
    extra = 0


@admin.register(Permit)
class PermitAdmin(admin.ModelAdmin):
    list_display = ("number", "enterprise", "management_class", "valid_from", "expires_on", "status")
    list_filter = ("status", "management_class", "enterprise__township")
    search_fields = ("number", "enterprise__name", "enterprise__credit_code")
    date_hierarchy = "expires_on"
    raw_id_fields = ("enterprise",)
    list_select_related = ("enterprise",)
    inlines = [OutletInline, MonitoringDutyInline, TreatmentFacilityInline, PermitItemInline, ExecutionReportInline]


class PermitLimitInline(admin.TabularInline):
    model = PermitLimit
    fields = ("pollutant", "limit_value", "lower_limit", "unit", "averaging_period", "standard")
    autocomplete_fields = ("pollutant",)
    extra = 0


@admin.register(Outlet)
class OutletAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "kind", "enterprise", "is_main", "online_monitored")
    list_filter = ("kind", "is_main", "online_monitored", "enterprise__township")
    search_fields = ("code", "name", "enterprise__name")
    raw_id_fields = ("permit", "enterprise")
    list_select_related = ("enterprise",)
    inlines = [PermitLimitInline]


@admin.register(ExecutionReport)
class ExecutionReportAdmin(admin.ModelAdmin):
    list_display = ("permit", "kind", "period_start", "due_on", "submitted_on", "is_complete")
    list_filter = ("kind", "is_complete")
    search_fields = ("permit__number", "permit__enterprise__name")
    raw_id_fields = ("permit",)


class PasswordResetByAdminForm(AdminPasswordChangeForm):
    """A password set by an administrator is temporary: its owner must change it at the next login."""

    def save(self, commit=True):
        self.user.must_change_password = True
        return super().save(commit)


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    change_password_form = PasswordResetByAdminForm

    list_display = ("username", "first_name", "role", "township", "grid", "enterprise", "is_active")
    list_filter = ("role", "township", "is_active", "is_staff")
    search_fields = ("username", "first_name", "last_name", "email", "phone", "enterprise__name")
    raw_id_fields = ("enterprise", "grid")
    fieldsets = BaseUserAdmin.fieldsets + (
        (_("Role and jurisdiction"), {"fields": ("role", "township", "grid", "enterprise", "phone")}),
    )
    add_fieldsets = BaseUserAdmin.add_fieldsets + (
        (_("Role and jurisdiction"), {"fields": ("role", "township", "grid", "enterprise")}),
    )

    def save_model(self, request, obj, form, change):
        if not change:  # an account created by an administrator starts with a temporary password
            obj.must_change_password = True
        super().save_model(request, obj, form, change)
