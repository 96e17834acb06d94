"""The PostgreSQL functions of the claim and submit fast paths, as the code renders them now.

Migrations create them (``crowdplatform.migration_operations.ReplaceFunction``) with the text written in
the migration; ``functions_in_migrations`` reads back the latest text of each, and a test holds the two
equal, so that a change to a rule the functions apply comes with a migration that puts it in the database
(``manage.py makefunctionmigration``).
"""

from collections.abc import Callable
from dataclasses import dataclass

from . import claim_sql, submit_sql


@dataclass(frozen=True)
class DatabaseFunction:
    signature: str
    render: Callable[[], str]


FUNCTIONS = (
    DatabaseFunction(
        f"{claim_sql.FUNCTION}(bigint, bigint, timestamptz, timestamptz)", claim_sql.function_sql
    ),
    DatabaseFunction(
        f"{claim_sql.CHECKED_FUNCTION}(bigint, bigint, timestamptz, boolean)", claim_sql.checked_function_sql
    ),
    DatabaseFunction(submit_sql.SIGNATURE, submit_sql.function_sql),
)


def rendered() -> dict[str, str]:
    """Each function's ``CREATE FUNCTION`` text as the code renders it on the current (PostgreSQL) database."""
    return {function.signature: function.render().strip() for function in FUNCTIONS}


def functions_in_migrations() -> tuple[dict[str, str], list[tuple[str, str]]]:
    """The latest text each ``ReplaceFunction`` in the migrations gives a function, and the leaf nodes of
    the migration graph (what a new migration depends on)."""
    from django.db.migrations.loader import MigrationLoader

    from crowdplatform.migration_operations import ReplaceFunction

    loader = MigrationLoader(None, ignore_no_migrations=True)
    latest: dict[str, str] = {}
    for node in _plan(loader):
        for operation in loader.graph.nodes[node].operations:
            if isinstance(operation, ReplaceFunction):
                latest[operation.signature] = operation.sql.strip()
    return latest, loader.graph.leaf_nodes()


def _plan(loader) -> list:
    seen, plan = set(), []
    for leaf in loader.graph.leaf_nodes():
        for node in loader.graph.forwards_plan(leaf):
            if node not in seen:
                seen.add(node)
                plan.append(node)
    return plan
