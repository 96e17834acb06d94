from django.contrib import admin


class LookOnlyAdmin(admin.ModelAdmin):
    """Rows that only the engine writes: the admin lists and shows them, and nobody adds, changes or
    deletes one by hand."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
