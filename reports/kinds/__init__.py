"""The report kinds: a registry in code. ``kind_get(name)`` or a 400 naming the kind.

Each kind is declared here with its parameters; its computation lives in the module of the same name and is
imported only when a report runs (see ``base.ReportKind``), so that the web process never loads numpy,
pandas or matplotlib.
"""

from crowdplatform.errors import ValidationFailed

from .base import ANSWER_PARAMS, METHOD_PARAM, Param, ReportKind

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


for _kind in (
    ReportKind(
        name="results",
        description="The results table of the campaign (or of each campaign of the project), CSV and JSON Lines.",
        run="reports.kinds.results.run",
    ),
    ReportKind(
        name="aggregate",
        description="One answer per task and field with a confidence: majority vote, Dawid–Skene or GLAD.",
        run="reports.kinds.aggregate.run",
        params=(METHOD_PARAM, *ANSWER_PARAMS),
    ),
    ReportKind(
        name="agreement",
        description="Inter-worker agreement per field (Krippendorff's alpha, Fleiss' kappa) and per worker.",
        run="reports.kinds.agreement.run",
        params=(METHOD_PARAM, *ANSWER_PARAMS),
    ),
    ReportKind(
        name="workers",
        description="Per worker: results, approval rate, time, agreement and gold accuracy, with plots.",
        run="reports.kinds.workers.run",
        params=(
            METHOD_PARAM,
            *ANSWER_PARAMS,
            Param("gold_field", "string", "", "Task input field that holds the known answer."),
            Param(
                "answer_field",
                "string",
                "",
                "Answer field compared with the gold one (default: the same name).",
            ),
        ),
    ),
    ReportKind(
        name="progress",
        description="Results submitted, approved and rejected per hour or day, as a table and a chart.",
        run="reports.kinds.progress.run",
        params=(Param("interval", "string", "day", "hour or day.", choices=("hour", "day")),),
    ),
):
    register(_kind)


def _load_extra_kinds() -> None:
    from django.conf import settings
    from django.utils.module_loading import import_string

    for path in getattr(settings, "CROWD_REPORT_EXTRA_KINDS", ()):
        register(import_string(path))


_load_extra_kinds()
