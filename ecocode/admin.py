"""Admin for bureau staff: tune the catalogue (every save records a catalogue version), read scores,
colour history and runs (penalty decisions are enforcement cases, entered there)."""
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from core.admin import ReadOnlyAdmin

from .models import (
    CatalogueVersion,
    ColourBand,
    ColourChange,
    EcoCode,
    Indicator,
    Score,
    ScoringRun,
)
from .services.catalogue import current_version, diff


class VersionedAdmin(admin.ModelAdmin):
    """Records a catalogue version with who and what after every change."""

    def _record(self, request, note):
        current_version(user=request.user, note=note)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        fields = ", ".join(form.changed_data) if change else "created"
        self._record(request, f"{obj}: {fields}")

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        self._record(request, f"{obj}: deleted")

    def delete_queryset(self, request, queryset):
        names = ", ".join(str(o) for o in queryset)
        super().delete_queryset(request, queryset)
        self._record(request, f"{names}: deleted")


@admin.register(Indicator)
class IndicatorAdmin(VersionedAdmin):
    list_display = ("code", "name", "group", "weight", "weight_source", "rule", "competes", "precedence", "colour_cap",
                    "active")
    list_editable = ("weight", "active")
    list_filter = ("group", "active", "rule")
    search_fields = ("code", "name", "rule")

    def get_changelist_formset(self, request, **kwargs):
        formset = super().get_changelist_formset(request, **kwargs)
        admin_ = self

        class Versioned(formset):
            def save(self, commit=True):
                saved = super().save(commit)
                if saved:
                    admin_._record(request, "list edit: " + ", ".join(str(o) for o in saved))
                return saved
        return Versioned


@admin.register(ColourBand)
class ColourBandAdmin(VersionedAdmin):
    list_display = ("colour", "min_score", "inspections_per_year", "penalty_discretion_factor",
                    "green_subsidy_eligible", "warning_only")


@admin.register(CatalogueVersion)
class CatalogueVersionAdmin(ReadOnlyAdmin):
    list_display = ("number", "created_at", "created_by", "note")
    readonly_fields = ("number", "created_at", "created_by", "note", "changes", "snapshot")

    @admin.display(description=_("changes from the previous version"))
    def changes(self, obj):
        previous = CatalogueVersion.objects.filter(number__lt=obj.number).order_by("-number").first()
        return "\n".join(diff(previous, obj)) or "-"


@admin.register(ScoringRun)
class ScoringRunAdmin(ReadOnlyAdmin):
    list_display = ("pk", "trigger", "as_of", "started_at", "finished_at", "catalogue_version", "enterprises",
                    "colour_changes")


@admin.register(Score)
class ScoreAdmin(ReadOnlyAdmin):
    list_display = ("enterprise", "score", "colour", "computed_at", "catalogue_version")
    list_filter = ("colour",)
    search_fields = ("enterprise__name",)
    raw_id_fields = ("enterprise", "run")


@admin.register(EcoCode)
class EcoCodeAdmin(ReadOnlyAdmin):
    list_display = ("enterprise", "colour", "score", "scored_at")
    list_filter = ("colour",)
    search_fields = ("enterprise__name",)
    exclude = ("token",)


@admin.register(ColourChange)
class ColourChangeAdmin(ReadOnlyAdmin):
    list_display = ("enterprise", "from_colour", "to_colour", "changed_at")
    list_filter = ("to_colour",)
    search_fields = ("enterprise__name",)
