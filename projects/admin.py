from django import forms
from django.contrib import admin
from django.db import models
from django.db.models import Count
from django.urls import reverse
from django.utils.html import format_html

from . import screen_admin  # noqa: F401  (screens and jobs)
from .models import Project
from .templating import template_fields


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "owner",
        "priority",
        "task_class",
        "campaign_count",
        "fields_display",
        "active",
        "archived",
        "updated_at",
    )
    list_filter = ("active", "archived", "task_class", "login_required", "restricted")
    search_fields = ("name", "description", "owner__username")
    list_select_related = ("owner",)
    formfield_overrides = {models.URLField: {"form_class": forms.URLField, "assume_scheme": "https"}}
    raw_id_fields = ("owner",)
    filter_horizontal = ("worker_users", "worker_groups")
    readonly_fields = ("template_fields", "created_at", "updated_at", "updated_by", "campaigns_link")
    fieldsets = (
        (None, {"fields": ("name", "owner", "description", "priority", "task_class", "active", "archived")}),
        (
            "Design",
            {"fields": ("html_template", "template_filename", "template_fields", "external_url", "data")},
        ),
        (
            "Defaults and access",
            {
                "fields": (
                    "default_results_per_task",
                    "default_time_allowed_s",
                    "login_required",
                    "restricted",
                    "worker_users",
                    "worker_groups",
                )
            },
        ),
        ("Bookkeeping", {"fields": ("campaigns_link", "created_at", "updated_at", "updated_by")}),
    )

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_campaigns=Count("campaigns"))

    @admin.display(description="campaigns", ordering="_campaigns")
    def campaign_count(self, obj):
        url = reverse("admin:campaigns_campaign_changelist") + f"?project__id__exact={obj.pk}"
        return format_html('<a href="{}">{}</a>', url, obj._campaigns)

    @admin.display(description="campaigns")
    def campaigns_link(self, obj):
        if obj.pk is None:
            return "-"
        return self.campaign_count(obj)

    @admin.display(description="fields")
    def fields_display(self, obj):
        return ", ".join(obj.template_fields)

    def save_model(self, request, obj, form, change):
        # The field list is derived from the template; keep it in step as project_update does.
        obj.template_fields = template_fields(obj.html_template)
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)
