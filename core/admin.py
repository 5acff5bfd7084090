"""What the apps' admins share: the base of the admin pages that only show records kept elsewhere."""
from django.contrib import admin


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows written by the platform's services only (logs, scores, derived periods): shown, never added,
    changed or deleted by hand."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
