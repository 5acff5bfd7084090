"""Read-only admin of the audit log, for bureau staff only: filter by model, action, actor, object."""
from django.contrib import admin
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _

from core.admin import ReadOnlyAdmin
from enterprises.jurisdiction import is_bureau

from .models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    list_display = ("at", "actor_label", "action", "model_label", "object_id", "object_repr", "ip")
    list_filter = ("action", "model_label", ("at", admin.DateFieldListFilter))
    search_fields = ("object_repr", "object_id", "actor_label", "request_id", "source")
    date_hierarchy = "at"
    readonly_fields = ("at", "actor", "actor_label", "action", "model_label", "object_id", "object_repr",
                       "change_table", "request_id", "ip", "source")
    exclude = ("changes",)
    list_select_related = ("actor",)

    @admin.display(description=_("changes"))
    def change_table(self, entry):
        return format_html_join("", "<div><b>{}</b>: {} → {}</div>",
                                ((field, old, new) for field, (old, new) in sorted(entry.changes.items())))

    def lookup_allowed(self, lookup, value, request=None):
        # ?model_label=...&object_id=... links to one object's history
        return lookup in ("object_id", "actor__id__exact", "request_id") or super().lookup_allowed(
            lookup, value, request)

    def has_module_permission(self, request):
        return is_bureau(request.user) and request.user.is_staff

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)
