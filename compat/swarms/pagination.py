"""Swarms list pages: ``{"<resource>": [...], "_links": {"next", "previous"}}`` with keyset cursors.

``after=<id>`` / ``before=<id>`` name the last / first row of the page seen; the next page is found by
comparing with that row's sort value and id (never OFFSET), so every page costs the same: one query for
the cursor's row and one for the page.
"""

from urllib.parse import urlencode

from django.db.models import Q

from .errors import SwarmsError
from .wire import limit_param, object_id


def _order(request, choices: dict[str, str]) -> tuple[str, bool]:
    raw = request.query_params.get("order") or "id"
    name = raw.split(",")[0].strip()
    descending = name.startswith("-")
    name = name.lstrip("-+")
    if name not in choices:
        raise SwarmsError(
            1105,
            f"order must be one of {', '.join(choices)} (with - for descending); got {raw!r}.",
            code="invalid-parameter",
            field="order",
        )
    return choices[name], descending


def _cursor(request, name: str):
    raw = request.query_params.get(name)
    if raw is None:
        return None
    try:
        return object_id(raw, name)
    except SwarmsError as exc:
        raise SwarmsError(1105, exc.message, code="invalid-parameter", field=name) from exc


def keyset_page(request, qs, *, path: str, order_choices: dict[str, str] | None = None):
    """The page's rows and its ``_links``; ``path`` is the list's href relative to the mount."""
    limit = limit_param(request)
    field, descending = _order(request, order_choices or {"id": "pk"})
    after, before = _cursor(request, "after"), _cursor(request, "before")
    if after is not None and before is not None:
        raise SwarmsError(1105, "Send after or before, not both.", code="invalid-parameter", field="before")
    anchor_id = after if after is not None else before
    forward = before is None
    # Reading forward in the list's order, or backward from ``before``.
    ascending = forward != descending
    rows = qs
    if anchor_id is not None:
        anchor = qs.filter(pk=anchor_id).values_list(field, flat=True)
        found = list(anchor[:1])
        if not found:
            name = "after" if after is not None else "before"
            raise SwarmsError(
                1105, f"{name}={anchor_id} is not in this list.", code="invalid-parameter", field=name
            )
        value = found[0]
        op = "gt" if ascending else "lt"
        if field == "pk":
            rows = rows.filter(**{f"pk__{op}": anchor_id})
        else:
            rows = rows.filter(Q(**{f"{field}__{op}": value}) | Q(**{field: value, f"pk__{op}": anchor_id}))
    ordering = [field if ascending else f"-{field}"] + (
        [] if field == "pk" else ["pk" if ascending else "-pk"]
    )
    page = list(rows.order_by(*ordering)[: limit + 1])
    more = len(page) > limit
    page = page[:limit]
    if not forward:
        page.reverse()
    has_next = more if forward else anchor_id is not None
    has_previous = (anchor_id is not None) if forward else more
    keep = [
        (k, v) for k, values in request.query_params.lists() for v in values if k not in {"after", "before"}
    ]
    links = {}
    if page and has_next:
        links["next"] = {"href": f"{path}?{urlencode([*keep, ('after', page[-1].pk)])}"}
    if page and has_previous:
        links["previous"] = {"href": f"{path}?{urlencode([*keep, ('before', page[0].pk)])}"}
    return page, links
