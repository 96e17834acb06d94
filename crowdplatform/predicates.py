"""A rule written once, read three ways: as a Python check on loaded rows, a Django ``Q``, and SQL text.

The engine's load-bearing rules (who may work on a campaign, which assignments hold a task's slot, what
may be submitted) are needed by Python code that has the rows in hand, by ORM querysets, and by the SQL
text and PL/pgSQL functions of the claim and submit fast paths. Each such rule is one ``Predicate`` built
from the few pieces below; every form is rendered from it, so a change to the rule is one edit.

    OPEN = Field("state").eq("accepted") & (Field("expires_at") > Param("now"))
    OPEN.holds(assignment, now=now)                      # bool
    Assignment.objects.filter(OPEN.q(now=now))           # Q
    OPEN.sql(Tables((Assignment, "a")), now="%(now)s")   # "(a.state = 'accepted' AND a.expires_at > %(now)s)"

Fields are named by path from the rule's root model (``"project.active"`` from a campaign); ``Tables``
gives each path its table alias in SQL. Parameters (``Param``) are values in Python and ``Q`` and SQL
expressions (a placeholder, a PL/pgSQL variable) in SQL. A comparison with a NULL column is false in all
three forms; ``~`` is true exactly where its operand is not (``IS NOT TRUE`` in SQL where NULL can occur).
``tests/rules`` holds the three forms together on PostgreSQL with generated rows.
"""

from __future__ import annotations

import operator
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Model, Q

_ALWAYS, _NEVER = Q(pk__isnull=False), Q(pk__in=[])


class Tables:
    """The SQL alias of the table at each path from a rule's root model: ``Tables((Campaign, "c"),
    (Project, "p", "project"))``."""

    def __init__(self, root: tuple[type[Model], str], *joined: tuple[type[Model], str, str]):
        self.aliases = {"": root[1], **{path: alias for _, alias, path in joined}}
        self.models = {"": root[0], **{path: model for model, _, path in joined}}

    def column(self, path: str) -> str:
        owner, _, name = path.rpartition(".")
        field = self.models[owner]._meta.get_field(name)
        return f"{self.aliases[owner]}.{field.column}"

    def model(self, path: str) -> type[Model]:
        return self.models[path]

    def alias(self, path: str) -> str:
        return self.aliases[path]


def _literal(value) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    return "'" + str(value).replace("'", "''") + "'"


class Predicate:
    """A condition on one row (and the rows it points to) at given parameter values."""

    # Whether the SQL form can be NULL (it compares a nullable column): then ``~`` renders ``IS NOT TRUE``.
    nullable = False

    def holds(self, row, **params) -> bool:
        raise NotImplementedError

    def q(self, prefix: str = "", **params) -> Q | bool:
        """The ``Q`` on the root model (``prefix``: a lookup path to it, ``"campaign__"``); a plain True or
        False where the parameters decide it alone. ``as_q`` always answers a ``Q``."""
        raise NotImplementedError

    def sql(self, tables: Tables, **params: str) -> str:
        raise NotImplementedError

    def as_q(self, prefix: str = "", **params) -> Q:
        found = self.q(prefix, **params)
        return _ALWAYS if found is True else _NEVER if found is False else found

    def __and__(self, other: Predicate) -> Predicate:
        return All((self, other))

    def __or__(self, other: Predicate) -> Predicate:
        return Any((self, other))

    def __invert__(self) -> Predicate:
        return Not(self)


def _get(row, path: str):
    for name in path.split("."):
        if row is None:
            return None
        row = getattr(row, name)
    return row


def _lookup(prefix: str, path: str) -> str:
    return prefix + path.replace(".", "__")


@dataclass(frozen=True)
class Param:
    """A value given when the rule is evaluated: ``now``, the worker, a flag."""

    name: str

    def value(self, params: dict):
        return params[self.name]


class Field:
    """A column of the root row, or of a row it points to (``"campaign.state"``)."""

    def __init__(self, path: str, *, nullable: bool = False):
        self.path = path
        self.nullable = nullable

    def eq(self, value) -> Predicate:
        return Compare(self, "exact", value)

    def is_in(self, values) -> Predicate:
        return In(self, tuple(values))

    def is_null(self) -> Predicate:
        return IsNull(self)

    def __gt__(self, other: Param) -> Predicate:
        return Compare(self, "gt", other)

    def __ge__(self, other: Param) -> Predicate:
        return Compare(self, "gte", other)

    def __lt__(self, other: Param) -> Predicate:
        return Compare(self, "lt", other)

    def __le__(self, other: Param) -> Predicate:
        return Compare(self, "lte", other)

    def true(self) -> Predicate:
        return Compare(self, "exact", True)


_OPERATORS = {
    "exact": (operator.eq, "="),
    "gt": (operator.gt, ">"),
    "gte": (operator.ge, ">="),
    "lt": (operator.lt, "<"),
    "lte": (operator.le, "<="),
}


class Compare(Predicate):
    def __init__(self, field: Field, lookup: str, value):
        self.field, self.lookup, self.value = field, lookup, value
        self.nullable = field.nullable

    def _value(self, params):
        return self.value.value(params) if isinstance(self.value, Param) else self.value

    def holds(self, row, **params) -> bool:
        left, right = _get(row, self.field.path), self._value(params)
        if left is None or right is None:
            return False
        if isinstance(left, datetime) != isinstance(right, datetime):
            raise TypeError(f"{self.field.path} compared with {right!r}")
        return _OPERATORS[self.lookup][0](left, right)

    def q(self, prefix: str = "", **params):
        return Q(**{f"{_lookup(prefix, self.field.path)}__{self.lookup}": self._value(params)})

    def sql(self, tables: Tables, **params: str) -> str:
        right = params[self.value.name] if isinstance(self.value, Param) else _literal(self.value)
        if self.lookup == "exact" and self.value is True:
            return tables.column(self.field.path)
        return f"{tables.column(self.field.path)} {_OPERATORS[self.lookup][1]} {right}"


class In(Predicate):
    def __init__(self, field: Field, values: tuple):
        self.field, self.values = field, tuple(str(v) if isinstance(v, str) else v for v in values)
        self.nullable = field.nullable

    def holds(self, row, **params) -> bool:
        return _get(row, self.field.path) in self.values

    def q(self, prefix: str = "", **params):
        return Q(**{f"{_lookup(prefix, self.field.path)}__in": self.values}) if self.values else False

    def sql(self, tables: Tables, **params: str) -> str:
        if not self.values:
            return "false"
        if len(self.values) == 1:
            return f"{tables.column(self.field.path)} = {_literal(self.values[0])}"
        return f"{tables.column(self.field.path)} IN ({', '.join(_literal(v) for v in self.values)})"


class IsNull(Predicate):
    def __init__(self, field: Field):
        self.field = field

    def holds(self, row, **params) -> bool:
        return _get(row, self.field.path) is None

    def q(self, prefix: str = "", **params):
        return Q(**{f"{_lookup(prefix, self.field.path)}__isnull": True})

    def sql(self, tables: Tables, **params: str) -> str:
        return f"{tables.column(self.field.path)} IS NULL"


class Flag(Predicate):
    """A boolean parameter (``anonymous``): decided before any row is read."""

    def __init__(self, param: Param):
        self.param = param

    def holds(self, row, **params) -> bool:
        return bool(self.param.value(params))

    def q(self, prefix: str = "", **params):
        return bool(self.param.value(params))

    def sql(self, tables: Tables, **params: str) -> str:
        return params[self.param.name]


class All(Predicate):
    def __init__(self, parts):
        self.parts = tuple(p for part in parts for p in (part.parts if isinstance(part, All) else (part,)))
        self.nullable = any(p.nullable for p in self.parts)

    def holds(self, row, **params) -> bool:
        return all(p.holds(row, **params) for p in self.parts)

    def q(self, prefix: str = "", **params):
        found = Q()
        for part in self.parts:
            rendered = part.q(prefix, **params)
            if rendered is False:
                return False
            if rendered is not True:
                found &= rendered
        return found if found else True

    def sql(self, tables: Tables, **params: str) -> str:
        return "(" + " AND ".join(p.sql(tables, **params) for p in self.parts) + ")"


class Any(Predicate):
    def __init__(self, parts):
        self.parts = tuple(p for part in parts for p in (part.parts if isinstance(part, Any) else (part,)))
        self.nullable = any(p.nullable for p in self.parts)

    def holds(self, row, **params) -> bool:
        return any(p.holds(row, **params) for p in self.parts)

    def q(self, prefix: str = "", **params):
        found = None
        for part in self.parts:
            rendered = part.q(prefix, **params)
            if rendered is True:
                return True
            if rendered is not False:
                found = rendered if found is None else found | rendered
        return False if found is None else found

    def sql(self, tables: Tables, **params: str) -> str:
        return "(" + " OR ".join(p.sql(tables, **params) for p in self.parts) + ")"


class Not(Predicate):
    def __init__(self, part: Predicate):
        self.part = part

    def holds(self, row, **params) -> bool:
        return not self.part.holds(row, **params)

    def q(self, prefix: str = "", **params):
        rendered = self.part.q(prefix, **params)
        return (not rendered) if isinstance(rendered, bool) else ~rendered

    def sql(self, tables: Tables, **params: str) -> str:
        inner = self.part.sql(tables, **params)
        return f"({inner}) IS NOT TRUE" if self.part.nullable else f"NOT ({inner})"


class Member(Predicate):
    """The worker (``Param("worker")``, a user; its id in SQL, NULL for nobody) is one of the listed users
    of the row at ``path`` or in one of its listed groups: its ``worker_users`` and ``worker_groups``."""

    def __init__(self, path: str, worker: Param):
        self.path, self.worker = path, worker

    def _owner(self, row):
        return _get(row, self.path) if self.path else row

    def holds(self, row, **params) -> bool:
        user = self.worker.value(params)
        if user is None or not user.is_authenticated:
            return False
        owner = self._owner(row)
        return (
            owner.worker_users.filter(pk=user.pk).exists()
            or owner.worker_groups.filter(user=user.pk).exists()
        )

    def q(self, prefix: str = "", **params):
        user = self.worker.value(params)
        if user is None or not user.is_authenticated:
            return False
        users = _lookup(prefix, f"{self.path}.worker_users" if self.path else "worker_users")
        groups = _lookup(prefix, f"{self.path}.worker_groups" if self.path else "worker_groups")
        return Q(**{users: user.pk}) | Q(**{f"{groups}__user": user.pk})

    def sql(self, tables: Tables, **params: str) -> str:
        model = tables.model(self.path)
        alias = tables.alias(self.path)
        users = model._meta.get_field("worker_users").remote_field.through._meta
        groups = model._meta.get_field("worker_groups").remote_field.through._meta
        owner_column = f"{model._meta.model_name}_id"
        worker = params[self.worker.name]
        return (
            f"(EXISTS (SELECT 1 FROM {users.db_table} wu WHERE wu.{owner_column} = {alias}.id"
            f" AND wu.user_id = {worker}) OR EXISTS (SELECT 1 FROM {groups.db_table} wg"
            f" JOIN auth_user_groups ug ON ug.group_id = wg.group_id"
            f" WHERE wg.{owner_column} = {alias}.id AND ug.user_id = {worker}))"
        )
