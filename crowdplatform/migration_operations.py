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


class ReplaceFunction(migrations.operations.base.Operation):
    """Create a PostgreSQL function from the text written in the migration, replacing the one of the same
    signature that an earlier migration made (``previous``: that text, made again when migrating back).

    The fast paths' PL/pgSQL functions are rendered from the rules they apply (``results.dbfunctions``).
    Their text is part of the schema's history like any table: when a rule, or a column the function
    returns, changes, ``manage.py makefunctionmigration`` writes a migration with the new text, and a test
    fails until it exists. The old function is dropped first, in the migration's transaction (no session
    finds it missing), since ``CREATE OR REPLACE`` cannot change the columns a function returns. Other
    databases have no such functions and skip the operation.
    """

    reduces_to_sql = True
    reversible = True

    def __init__(self, signature: str, sql: str, previous: str | None = None):
        self.signature = signature
        self.sql = sql
        self.previous = previous

    def deconstruct(self):
        kwargs = {"signature": self.signature, "sql": self.sql}
        if self.previous is not None:
            kwargs["previous"] = self.previous
        return self.__class__.__qualname__, [], kwargs

    def state_forwards(self, app_label, state):
        pass

    def _replace(self, schema_editor, sql: str | None) -> None:
        if schema_editor.connection.vendor != "postgresql":
            return
        schema_editor.execute(f"DROP FUNCTION IF EXISTS {self.signature}")
        if sql is not None:
            schema_editor.execute(sql, params=None)

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        self._replace(schema_editor, self.sql)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        self._replace(schema_editor, self.previous)

    def describe(self):
        return f"Create or replace the database function {self.signature}"

    @property
    def migration_name_fragment(self):
        return f"replace_{self.signature.split('(')[0]}"
