"""Migration operations that keep a live PostgreSQL database working while they run.

``CREATE INDEX`` blocks every write to its table until the index is built (seconds to minutes on the
assignment table of a busy instance, with every claim and submit waiting); ``CONCURRENTLY`` does not.
These operations build and drop indexes concurrently on PostgreSQL and plainly elsewhere (SQLite has no
such option, and no concurrent writers to spare). A migration using them sets ``atomic = False``, since
PostgreSQL cannot run them inside a transaction.
"""

from django.contrib.postgres.operations import AddIndexConcurrently, RemoveIndexConcurrently
from django.db import migrations


class _ConcurrentlyOnPostgres:
    """The concurrent operation on PostgreSQL, the ``plain`` one on any other database."""

    plain: type

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        operation = super() if schema_editor.connection.vendor == "postgresql" else self._plain()
        operation.database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        operation = super() if schema_editor.connection.vendor == "postgresql" else self._plain()
        operation.database_backwards(app_label, schema_editor, from_state, to_state)

    def _plain(self):
        _, args, kwargs = self.deconstruct()
        return self.plain(*args, **kwargs)


class AddIndexWithoutLocking(_ConcurrentlyOnPostgres, AddIndexConcurrently):
    plain = migrations.AddIndex


class RemoveIndexWithoutLocking(_ConcurrentlyOnPostgres, RemoveIndexConcurrently):
    plain = migrations.RemoveIndex
