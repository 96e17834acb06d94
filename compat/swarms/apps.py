from django.apps import AppConfig


class SwarmsConfig(AppConfig):
    name = "compat.swarms"
    label = "swarms"
    verbose_name = "Swarms API"
    default_auto_field = "django.db.models.BigAutoField"
