"""The claim and submit functions are part of the schema's history: made by migrations, from the code."""

import pytest
from django.core.management import call_command
from django.db import connection

from crowdplatform.migration_operations import ReplaceFunction
from results import dbfunctions

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


def _body(sql: str) -> str:
    tag = sql[sql.index("$") : sql.index("$", sql.index("$") + 1) + 1]
    return sql[sql.index(tag) + len(tag) : sql.rindex(tag)]


def test_the_migrations_hold_the_functions_as_the_code_renders_them():
    # given the functions as the rules render them now, and as the migrations last wrote them
    rendered = dbfunctions.rendered()
    latest, _ = dbfunctions.functions_in_migrations()
    # then they are the same: a rule changed without a migration (manage.py makefunctionmigration) fails here
    assert latest == rendered


def test_the_migrated_database_has_the_functions_of_the_migrations():
    # given the test database, migrated
    latest, _ = dbfunctions.functions_in_migrations()
    for signature, sql in latest.items():
        # when its function is read back
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_get_functiondef(%s::regprocedure)", [signature])
            installed = cursor.fetchone()[0]
        # then its body is the migration's
        assert _body(sql) in installed, signature


def _source(signature: str) -> str | None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regprocedure(%s)", [signature])
        if cursor.fetchone()[0] is None:
            return None
        cursor.execute("SELECT prosrc FROM pg_proc WHERE oid = %s::regprocedure", [signature])
        return cursor.fetchone()[0].strip()


def test_replacing_a_function_can_change_its_columns_and_be_undone():
    # given a function made by one migration and replaced by a later one that answers other columns
    signature = "crowd_test_answer(bigint)"
    first = ReplaceFunction(
        signature, "CREATE FUNCTION crowd_test_answer(p bigint) RETURNS bigint LANGUAGE sql AS 'SELECT p'"
    )
    second = ReplaceFunction(
        signature,
        "CREATE FUNCTION crowd_test_answer(p bigint) RETURNS TABLE (a bigint, b text) LANGUAGE sql"
        " AS 'SELECT p, ''x'''",
        previous=first.sql,
    )
    with connection.schema_editor() as editor:
        first.database_forwards("results", editor, None, None)
    # when the later one is applied, then migrated back, then the first one too
    with connection.schema_editor() as editor:
        second.database_forwards("results", editor, None, None)
    replaced = _source(signature)
    with connection.schema_editor() as editor:
        second.database_backwards("results", editor, None, None)
    restored = _source(signature)
    with connection.schema_editor() as editor:
        first.database_backwards("results", editor, None, None)
    # then each step left the function its migration says
    assert (replaced, restored, _source(signature)) == ("SELECT p, 'x'", "SELECT p", None)


def test_the_migration_command_finds_nothing_to_write_when_the_migrations_are_up_to_date(capsys):
    # when the command checks the migrations against the code, then it finds them the same and writes nothing
    call_command("makefunctionmigration", check=True)
    assert "are those of the code" in capsys.readouterr().out
