"""The report kinds: a registry in code. ``kind_get(name)`` or a 400 naming the kind."""

from crowdplatform.errors import ValidationFailed

from .base import ReportKind

KINDS: dict[str, ReportKind] = {}


def register(kind: ReportKind) -> ReportKind:
    KINDS[kind.name] = kind
    return kind


def kind_get(name: str) -> ReportKind:
    kind = KINDS.get(name)
    if kind is None:
        raise ValidationFailed(
            f"Unknown report kind {name!r}; known kinds: {', '.join(sorted(KINDS))}.",
            code="unknown-kind",
            field="kind",
        )
    return kind


def _load() -> None:
    from django.conf import settings
    from django.utils.module_loading import import_string

    from . import aggregate, agreement, progress, results, workers  # noqa: F401  (each registers itself)

    for path in getattr(settings, "CROWD_REPORT_EXTRA_KINDS", ()):
        register(import_string(path))


_load()
