"""Model instances from statements written as SQL text, for the few paths that run on every request.

Compiling an ORM query costs this machine 1–2 ms of CPU, more than PostgreSQL takes to run it; the claim,
submit and token-authentication paths send their reads as text instead. ``Layout`` names the models a
statement selects, in order, gives the select list to put in it, and turns each row back into those
models with the same database converters the ORM applies (JSON, dates on SQLite, …).

    CAMPAIGN = Layout((Campaign, "c"), (Project, "p"))
    sql = f"SELECT {CAMPAIGN.columns} FROM campaigns_campaign c JOIN projects_project p ON ... WHERE c.id = %s"
    campaign, project = CAMPAIGN.fetch_one(sql, [pk]) or (None, None)
"""

from functools import cached_property

from django.db import connection
from django.db.models import Model


class Layout:
    def __init__(self, *parts: tuple[type[Model], str]):
        self.parts = parts

    @cached_property
    def columns(self) -> str:
        return ", ".join(
            f'{alias}."{field.column}"'
            for model, alias in self.parts
            for field in model._meta.concrete_fields
        )

    @cached_property
    def _plan(self) -> list[tuple[type[Model], list[str], int, list[tuple[int, list, object]]]]:
        """Per model: its attribute names, where its columns start, and the converters of each column."""
        plan, start = [], 0
        for model, alias in self.parts:
            fields = model._meta.concrete_fields
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

    def fetch_one(self, sql: str, params) -> tuple[Model, ...] | None:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            row = cursor.fetchone()
        return None if row is None else self.load(row)
