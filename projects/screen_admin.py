"""Screens and jobs in the admin: a screen editor that lists the components in order and shows a read-only
preview of the screen, and jobs with their screens in order. Saves go through ``projects.screens``."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError

from crowdplatform.admin_views import LookOnlyAdmin
from crowdplatform.errors import ApplicationError

from . import screens as services
from .components import validate_components
from .models import Job, JobScreen, Screen, ScreenMedia
from .screen_preview import components_table_html, screen_preview_html


class ScreenForm(forms.ModelForm):
    components = forms.JSONField(
        initial=list,
        widget=forms.Textarea(attrs={"rows": 18, "cols": 100, "style": "font-family:monospace"}),
        help_text="A JSON list of components (see docs/components.md).",
    )

    class Meta:
        model = Screen
        fields = ("name", "owner", "components", "properties", "archived")

    def clean_components(self):
        try:
            return validate_components(self.cleaned_data["components"])
        except ApplicationError as exc:
            raise ValidationError(f"{exc.field}: {exc.message}", code=exc.code) from None


@admin.register(Screen)
class ScreenAdmin(admin.ModelAdmin):
    form = ScreenForm
    list_display = ("name", "owner", "component_count", "archived", "updated_at")
    list_filter = ("archived",)
    search_fields = ("name", "owner__username")
    list_select_related = ("owner",)
    raw_id_fields = ("owner",)
    readonly_fields = ("components_in_order", "preview", "read_only", "created_at", "updated_at")
    fieldsets = (
        (None, {"fields": ("name", "owner", "archived", "read_only")}),
        ("Components", {"fields": ("components", "components_in_order", "properties")}),
        ("Preview (as the worker sees it, nothing runs)", {"fields": ("preview",)}),
        ("Bookkeeping", {"fields": ("created_at", "updated_at")}),
    )

    @admin.display(description="components")
    def component_count(self, obj):
        return len(obj.components)

    @admin.display(description="in order")
    def components_in_order(self, obj):
        return components_table_html(obj.components or [])

    @admin.display(description="preview")
    def preview(self, obj):
        return screen_preview_html(obj.components or [])

    @admin.display(description="read-only", boolean=True)
    def read_only(self, obj):
        return bool(obj.pk) and services.screen_is_read_only(screen=obj)

    def get_readonly_fields(self, request, obj=None):
        fields = super().get_readonly_fields(request, obj)
        if obj is not None and services.screen_is_read_only(screen=obj):
            return (*fields, "name", "owner", "components", "properties")
        return fields

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if change:
            values = {k: data[k] for k in ("name", "components", "properties") if k in form.changed_data}
            services.screen_update(screen=obj, **values)
            if "archived" in form.changed_data:
                services.screen_set_archived(screen=obj, archived=data["archived"])
        else:
            created = services.screen_create(
                owner=data["owner"],
                name=data["name"],
                components=data["components"],
                properties=data["properties"],
            )
            obj.pk = created.pk
        obj.refresh_from_db()


def _job_editable(job) -> bool:
    return job is None or not services.job_is_read_only(job=job)


class JobScreenInline(admin.TabularInline):
    model = JobScreen
    extra = 0
    raw_id_fields = ("screen",)
    ordering = ("position",)

    # A job a published campaign offers keeps its screens (projects.screens.job_update refuses it too).
    def has_add_permission(self, request, obj=None):
        return super().has_add_permission(request, obj) and _job_editable(obj)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and _job_editable(obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and _job_editable(obj)


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    list_display = ("name", "owner", "screen_count", "archived", "updated_at")
    list_filter = ("archived",)
    search_fields = ("name", "description", "owner__username")
    list_select_related = ("owner",)
    raw_id_fields = ("owner",)
    inlines = [JobScreenInline]
    readonly_fields = ("created_at", "updated_at")

    @admin.display(description="screens")
    def screen_count(self, obj):
        return obj.job_screens.count()

    def get_readonly_fields(self, request, obj=None):
        fields = super().get_readonly_fields(request, obj)
        if not _job_editable(obj):
            return (*fields, "name", "owner", "description", "properties")
        return fields


__all__ = ["ScreenAdmin", "JobAdmin"]


@admin.register(JobScreen)
class JobScreenAdmin(LookOnlyAdmin):
    """A screen's place in a job; changed on the job's page."""

    list_display = ("job", "position", "screen")
    list_select_related = ("job", "screen")
    search_fields = ("=job__id", "job__name", "screen__name")


@admin.register(ScreenMedia)
class ScreenMediaAdmin(LookOnlyAdmin):
    """Which uploaded files a screen shows; kept in step with the screen's components."""

    list_display = ("screen", "key")
    list_select_related = ("screen",)
    search_fields = ("=key", "screen__name")
