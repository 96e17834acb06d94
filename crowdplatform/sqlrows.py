"""Statements written as SQL text, and model instances from their rows, for the few paths that run on
every request (claim, submit, token authentication).

Compiling an ORM query costs this machine 1–2 ms of CPU, more than PostgreSQL takes to run it, so these
paths send text. ``Statement`` holds one such statement; on PostgreSQL it is parsed and planned once per
database connection (``PREPARE``) and then run by name (``EXECUTE``), which also spares the server the
parse and plan that cost it more than running these statements (the plans are made afresh now and then,
see ``_Session``). ``Layout`` names the models a statement selects, in order, gives the select list to
put in it, and turns each row back into those models with the same database converters the ORM applies
(JSON, dates on SQLite, …).

    CAMPAIGN = Layout((Campaign, "c"), (Project, "p"))
    BY_ID = Statement(
        f"SELECT {CAMPAIGN.columns} FROM campaigns_campaign c JOIN projects_project p ON ... WHERE c.id = %s"
    )
    campaign, project = CAMPAIGN.fetch_one(BY_ID, [pk]) or (None, None)

Set ``CROWD_PREPARED_STATEMENTS=0`` when the application reaches PostgreSQL through a pool that hands one
server session to several clients (PgBouncer in transaction mode): prepared statements live in a session.
"""

import itertools
import re
import time
from functools import cached_property

from django.conf import settings
from django.db import DatabaseError, connection
from django.db.models import Model

_PLACEHOLDER = re.compile(r"%\((\w+)\)s|%s")
_NO_SUCH_STATEMENT = "26000"  # invalid_sql_statement_name


def inline(sql: str, **values: str) -> str:
    """``sql`` with each ``%(name)s`` placeholder replaced by the SQL expression ``values[name]``: how a
    statement is written into the body of a PL/pgSQL function, whose arguments take the parameters' place."""
    return _PLACEHOLDER.sub(lambda match: values[match.group(1)], sql).strip()


# Written into every PL/pgSQL function of the hot path (after ``LANGUAGE plpgsql``). PostgreSQL plans a
# function's statements for the first calls with their values and then, when a plan for any values looks
# dearer, goes on planning every call anew: for the claim's pick, a large statement, that planning cost
# more than running it (2 ms of the database's time per claim and submit, against 1.6 ms for all of it with
# the plans kept). The functions' statements all find their rows by keys they are given (see ``results``'
# ``claim_sql`` and ``submit_sql``), so one plan for any values is right for them.
KEEP_PLANS = "SET plan_cache_mode = force_generic_plan"


class Statement:
    """One statement with ``%(name)s`` or ``%s`` placeholders (not both, and no literal ``%%``)."""

    _numbers = itertools.count(1)
    by_name: dict[str, "Statement"] = {}

    def __init__(self, sql: str):
        self.sql = sql
        self.name = f"crowd_{next(self._numbers)}"
        Statement.by_name[self.name] = self
        self._keys: list = []

        def number(match):
            key = match.group(1)
            if key is None:  # positional: the n-th %s is the n-th parameter
                key = len(self._keys)
            elif key in self._keys:
                return f"${self._keys.index(key) + 1}"
            self._keys.append(key)
            return f"${len(self._keys)}"

        self._numbered = _PLACEHOLDER.sub(number, sql)

    def execute(self, cursor, params) -> None:
        """Run on a Django cursor with ``params``: a dict for named placeholders, a sequence for ``%s``."""
        db = cursor.db
        if db.vendor != "postgresql":
            cursor.execute(self.sql, params)
            return
        session = _session_of(db)
        session.replan_if_due(cursor)
        if not settings.CROWD_PREPARED_STATEMENTS:
            cursor.execute(self.sql, params)
            return
        values = [params[key] for key in self._keys]
        try:
            if self.name not in session.prepared:
                cursor.execute(f"PREPARE {self.name} AS {self._numbered}")
                session.prepared.add(self.name)
            cursor.execute(
                f"EXECUTE {self.name}({', '.join(['%s'] * len(values))})"
                if values
                else f"EXECUTE {self.name}",
                values or None,
            )
        except DatabaseError as exc:
            if getattr(exc.__cause__, "pgcode", None) == _NO_SUCH_STATEMENT:
                # The session's prepared statements are gone (a pool's DISCARD ALL, say): the next
                # request prepares them again.
                session.prepared.clear()
            raise


class _Session:
    """What one PostgreSQL session holds: the statements prepared in it, and when its plans were made.

    PostgreSQL keeps a plan it settled on for a prepared statement (or inside a function such as the
    one-call claim) until the tables are next analyzed, and a plan made while a table was nearly empty
    scans it whole once it has grown. So every ``CROWD_PREPARED_STATEMENTS_REPLAN`` seconds the session's
    plans are dropped (``DISCARD PLANS``, which keeps the statements) and made again on their next use,
    for the tables as they are then.
    """

    def __init__(self, raw_connection):
        self.raw_connection = raw_connection
        self.prepared: set[str] = set()
        self.planned_at = time.monotonic()

    def replan_if_due(self, cursor) -> None:
        now = time.monotonic()
        if now - self.planned_at >= settings.CROWD_PREPARED_STATEMENTS_REPLAN:
            cursor.execute("DISCARD PLANS")
            self.planned_at = now


def _fields(model: type[Model], omit) -> list:
    unknown = set(omit) - {field.name for field in model._meta.concrete_fields}
    if unknown:
        raise ValueError(f"{model.__name__} has no field {sorted(unknown)[0]}")
    return [field for field in model._meta.concrete_fields if field.name not in omit]


def _session_of(db) -> _Session:
    """The session ``db`` holds now. Prepared statements live as long as the session (a rollback keeps
    them), so a reconnect starts again with none."""
    session = db.__dict__.get("_crowd_session")
    if session is None or session.raw_connection is not db.connection:
        session = db.__dict__["_crowd_session"] = _Session(db.connection)
    return session


class Layout:
    """The models a statement selects, in order, each under a table alias, optionally leaving out some of a
    model's fields (``(Project, "p", {"html_template"})``: large values a hot path never reads; they load on
    first access, as with ``QuerySet.defer``)."""

    def __init__(self, *parts: tuple):
        self.parts = [
            (model, alias, _fields(model, rest[0] if rest else ())) for model, alias, *rest in parts
        ]

    @cached_property
    def columns(self) -> str:
        return ", ".join(f'{alias}."{field.column}"' for _, alias, fields in self.parts for field in fields)

    def returns(self, db) -> str:
        """The select list as the columns of a function's ``RETURNS TABLE (...)``: one name and the column's
        type per column, in the same order, so ``load`` reads the function's rows as it reads the select's.
        The names carry the alias (``a_id``), out of the way of the tables' own column names."""
        return ", ".join(
            f"{alias}_{field.column} {field.db_type(db)}"
            for _, alias, fields in self.parts
            for field in fields
        )

    @cached_property
    def _plan(self) -> list[tuple[type[Model], list[str], int, list[tuple[int, list, object]]]]:
        """Per model: its attribute names, where its columns start, and the converters of each column."""
        plan, start = [], 0
        for model, alias, fields in self.parts:
            converters = []
            for index, field in enumerate(fields):
                expression = field.get_col(alias)
                found = connection.ops.get_db_converters(expression) + expression.get_db_converters(
                    connection
                )
                if found:
                    converters.append((index, found, expression))
            plan.append((model, [f.attname for f in fields], start, converters))
            start += len(fields)
        return plan

    def load(self, row) -> tuple[Model, ...]:
        instances = []
        for model, attnames, start, converters in self._plan:
            values = list(row[start : start + len(attnames)])
            for index, found, expression in converters:
                value = values[index]
                for converter in found:
                    value = converter(value, expression, connection)
                values[index] = value
            instances.append(model.from_db(connection.alias, attnames, values))
        return tuple(instances)

    def fetch_one(self, statement: Statement, params) -> tuple[Model, ...] | None:
        with connection.cursor() as cursor:
            statement.execute(cursor, params)
            row = cursor.fetchone()
        return None if row is None else self.load(row)
