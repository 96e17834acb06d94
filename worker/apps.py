from django.apps import AppConfig


class WorkerConfig(AppConfig):
    """The worker's HTML pages under /worker/."""

    name = "worker"
    default_auto_field = "django.db.models.BigAutoField"
