"""Reports in the admin: reports with their versions, each version's files (PNG artefacts shown inline, every
file downloadable), the run queue. Publishing and killing go through the reports services."""

from django.contrib import admin, messages
from django.http import FileResponse, Http404
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join

from crowdplatform.admin_views import LookOnlyAdmin

from .models import Report, ReportRun, ReportVersion, VersionFile
from .services import report_run_kill, version_publish
from .storage import open_stored


class VersionInline(admin.TabularInline):
    model = ReportVersion
    fields = ["version_link", "date", "published", "requester"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = False
    ordering = ["-date"]

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description="version")
    def version_link(self, obj):
        return format_html(
            '<a href="{}">{}</a>', reverse("admin:reports_reportversion_change", args=[obj.pk]), obj.pk
        )


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    list_display = ["name", "display_name", "kind", "scope_label", "owner", "created_at"]
    list_filter = ["kind", "scope"]
    search_fields = ["name", "display_name"]
    readonly_fields = ["kind", "scope", "scope_id", "owner", "created_at"]
    inlines = [VersionInline]

    def has_add_permission(self, request):
        return False  # reports are defined through the API, where the kind checks its parameters

    @admin.display(description="scope")
    def scope_label(self, obj):
        return f"{obj.scope} {obj.scope_id}"


@admin.register(ReportVersion)
class ReportVersionAdmin(LookOnlyAdmin):
    list_display = ["id", "report", "date", "published", "requester"]
    list_filter = ["published", "report__kind"]
    search_fields = ["id", "report__name"]
    readonly_fields = [
        "id",
        "report",
        "date",
        "published",
        "parameter_values",
        "data_info",
        "requester",
        "files_list",
    ]
    fields = readonly_fields
    actions = ["publish", "unpublish"]

    def get_urls(self):
        download = self.admin_site.admin_view(self.download_view)
        return [path("file/<int:pk>/", download, name="reports_versionfile_download"), *super().get_urls()]

    def download_view(self, request, pk):
        item = VersionFile.objects.filter(pk=pk).first()
        if item is None:
            raise Http404("No such file.")
        inline = item.name.endswith(".png") and "download" not in request.GET
        return FileResponse(
            open_stored(item.file.name), as_attachment=not inline, filename=item.name.rsplit("/", 1)[-1]
        )

    @admin.display(description="files")
    def files_list(self, obj):
        rows = []
        for item in obj.files.order_by("role", "name"):
            url = reverse("admin:reports_versionfile_download", args=[item.pk])
            picture = (
                format_html('<br><img src="{}" alt="{}" style="max-width:640px">', url, item.name)
                if item.name.endswith(".png")
                else ""
            )
            rows.append((item.role, f"{url}?download=1", item.name, picture, item.size, item.md5))
        body = format_html_join(
            "", '<tr><td>{}</td><td><a href="{}">{}</a>{}</td><td>{}</td><td><code>{}</code></td></tr>', rows
        )
        return format_html(
            "<table><tr><th>role</th><th>file</th><th>bytes</th><th>md5</th></tr>{}</table>", body
        )

    @admin.action(description="Publish the selected versions")
    def publish(self, request, queryset):
        for version in queryset:
            version_publish(version=version, value=True)
        self.message_user(request, f"Published {queryset.count()} version(s).", messages.SUCCESS)

    @admin.action(description="Unpublish the selected versions")
    def unpublish(self, request, queryset):
        for version in queryset:
            version_publish(version=version, value=False)
        self.message_user(request, f"Unpublished {queryset.count()} version(s).", messages.SUCCESS)

    def has_change_permission(self, request, obj=None):
        return obj is None and request.user.is_staff  # the list's actions; the page itself stays read-only


@admin.register(ReportRun)
class ReportRunAdmin(LookOnlyAdmin):
    list_display = ["key", "report", "status", "queued_at", "started_at", "finished_at", "version"]
    list_filter = ["status"]
    search_fields = ["key", "report__name"]
    readonly_fields = [f.name for f in ReportRun._meta.fields]
    actions = ["kill"]

    @admin.action(description="Kill the selected runs")
    def kill(self, request, queryset):
        for run in queryset.filter(status__in=["queued", "running"]):
            report_run_kill(run=run)
        self.message_user(request, "Kill requested.", messages.SUCCESS)

    def has_change_permission(self, request, obj=None):
        return obj is None and request.user.is_staff
