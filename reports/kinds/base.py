"""A report kind: its parameters (each checked, with a default) and the function that runs it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from crowdplatform.errors import ValidationFailed

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
    run: Callable
    params: tuple[Param, ...] = field(default_factory=tuple)

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
