from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _install_submit_function(sender, using, **kwargs):
    from django.db import connections

    from . import submit_sql

    submit_sql.install_function(connections[using])


class ResultsConfig(AppConfig):
    name = "results"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Like the one-call claim (``tasks.apps``): built from the code, so (re)created after every ``migrate``.
        post_migrate.connect(_install_submit_function, sender=self)
