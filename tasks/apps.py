from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _install_claim_function(sender, using, **kwargs):
    from django.db import connections

    from . import claim_sql

    claim_sql.install_function(connections[using])


class TasksConfig(AppConfig):
    name = "tasks"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # The one-call claim is built from the statements in ``tasks.claim_sql``, so it is (re)created from
        # the code after every ``migrate`` rather than frozen in a migration.
        post_migrate.connect(_install_claim_function, sender=self)
