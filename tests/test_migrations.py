"""Migrations that change indexes on the busiest tables run without blocking writes on PostgreSQL."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test.utils import CaptureQueriesContext

pytestmark = pytest.mark.django_db(transaction=True)


def _migrate(target: list[tuple[str, str]]) -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(target)


def _assignment_indexes() -> dict:
    with connection.cursor() as cursor:
        return connection.introspection.get_constraints(cursor, "results_assignment")


def test_the_worker_index_is_swapped_both_ways():
    # given the database as it was before the (worker, state, campaign, task) index
    latest = MigrationExecutor(connection).loader.graph.leaf_nodes("results")
    _migrate([("results", "0004_drop_assignment_task_state_index")])
    try:
        before = _assignment_indexes()
        assert "assignment_by_worker" not in before
        assert any(c["columns"] == ["worker_id", "state"] and c["index"] for c in before.values())
    finally:
        # when it is migrated forward again
        with CaptureQueriesContext(connection) as captured:
            _migrate(latest)
    # then on PostgreSQL the index is built and the old one dropped without blocking writes
    changes = [q["sql"] for q in captured.captured_queries if "INDEX" in q["sql"]]
    concurrently = connection.vendor == "postgresql"
    assert len(changes) == 2 and all(("CONCURRENTLY" in sql) == concurrently for sql in changes), changes
    # and the new index is there, whole, and the one it replaced is gone
    after = _assignment_indexes()
    assert after["assignment_by_worker"]["columns"] == ["worker_id", "state", "campaign_id", "task_id"]
    assert not any(c["columns"] == ["worker_id", "state"] for c in after.values())
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT indisvalid FROM pg_index WHERE indexrelid = 'assignment_by_worker'::regclass"
            )
            assert cursor.fetchone() == (True,)
