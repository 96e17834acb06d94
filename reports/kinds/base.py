"""A report kind: its parameters (each checked, with a default) and the function that runs it.

A kind is declared here and in ``reports.kinds`` without its computation: the web process checks a run's
parameters and queues it, and only the process that runs it imports the numeric code (numpy, pandas,
matplotlib) that ``run`` names.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils.module_loading import import_string

from crowdplatform.errors import ValidationFailed

from ..states import DEFAULT_STATES

_TYPES = {"string": str, "integer": int, "number": (int, float), "boolean": bool, "list": list}


@dataclass(frozen=True)
class Param:
    name: str
    type: str  # string, integer, number, boolean, list (of strings)
    default: object = None
    help: str = ""
    choices: tuple = ()
    minimum: float | None = None
    maximum: float | None = None

    def check(self, value):
        where = f"params.{self.name}"
        wanted = _TYPES[self.type]
        if self.type == "boolean" and isinstance(value, str) and value.lower() in ("true", "false"):
            value = value.lower() == "true"  # seed 003: booleans are case-insensitive
        if isinstance(value, bool) and self.type in ("integer", "number"):
            wanted = ()
        if not isinstance(value, wanted):
            raise ValidationFailed(
                f"{self.name} must be a {self.type}.", code="invalid-parameter", field=where
            )
        if self.type == "list" and not all(isinstance(item, str) for item in value):
            raise ValidationFailed(
                f"{self.name} must be a list of strings.", code="invalid-parameter", field=where
            )
        if self.choices and value not in self.choices:
            raise ValidationFailed(
                f"{self.name} must be one of {', '.join(map(str, self.choices))}.",
                code="invalid-choice",
                field=where,
            )
        if self.minimum is not None and value < self.minimum:
            raise ValidationFailed(
                f"{self.name} must be at least {self.minimum}.", code="out-of-range", field=where
            )
        if self.maximum is not None and value > self.maximum:
            raise ValidationFailed(
                f"{self.name} must be at most {self.maximum}.", code="out-of-range", field=where
            )
        return value


@dataclass(frozen=True)
class ReportKind:
    name: str
    description: str
    # The function that computes the report from a run context, or its dotted path (imported at run time).
    run: Callable | str
    params: tuple[Param, ...] = field(default_factory=tuple)

    def execute(self, context) -> None:
        run = import_string(self.run) if isinstance(self.run, str) else self.run
        run(context)

    def parameters(self, given: dict | None) -> dict:
        """The run's parameter values: the given ones checked, the defaults for the rest; unknown → 400."""
        given = given or {}
        if not isinstance(given, dict):
            raise ValidationFailed("params must be an object.", code="invalid-parameter", field="params")
        known = {p.name: p for p in self.params}
        for name in given:
            if name not in known:
                raise ValidationFailed(
                    f"The {self.name} report takes no parameter {name!r}.",
                    code="unknown-parameter",
                    field=f"params.{name}",
                )
        return {
            p.name: (p.check(given[p.name]) if given.get(p.name) is not None else p.default)
            for p in self.params
        }


# The answer kinds' names of their methods (``reports.aggregation.METHODS`` has one function for each).
METHOD_NAMES = ("majority_vote", "dawid_skene", "glad")
METHOD_PARAM = Param(
    "method", "string", "dawid_skene", "majority_vote, dawid_skene or glad.", choices=METHOD_NAMES
)
ANSWER_PARAMS = (
    Param("fields", "list", None, "Answer fields to analyse (default: every field)."),
    Param("free_text", "list", [], "Fields to pass through as free text, never voted on."),
    Param(
        "max_labels", "integer", 50, "A field with more distinct answers than this is free text.", minimum=2
    ),
    Param(
        "states",
        "list",
        list(DEFAULT_STATES),
        "Result states that count (submitted, approved, soft_rejected, rejected).",
    ),
)
