from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "reports"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "Reports"

    def ready(self):
        # The run task is registered with the project's Celery app as soon as the app loads, so that the
        # services can send it through that app by name (``reports.services.RUN_TASK``).
        from . import tasks  # noqa: F401
