"""Turkle-style ``${field}`` templates: finding the fields and filling them in."""

import html
import re

PLACEHOLDER = re.compile(r"\$\{\s*([^}\s]+)\s*\}")
HTML_COMMENT = re.compile(r"<!--.*?(?:-->|$)", re.DOTALL)


def template_fields(template: str) -> list[str]:
    """Placeholder names in order of first appearance, without duplicates.

    Placeholders inside HTML comments do not count: templates document their ``${field}`` syntax there,
    and a CSV should not have to supply a column for it.
    """
    seen: dict[str, None] = {}
    for match in PLACEHOLDER.finditer(HTML_COMMENT.sub("", template or "")):
        seen.setdefault(match.group(1), None)
    return list(seen)


def render_template(template: str, values: dict) -> str:
    """Fill each ``${field}`` with its value, HTML-escaped (as Turkle does), so values cannot inject markup."""

    def replace(match: re.Match) -> str:
        value = values.get(match.group(1), "")
        return html.escape("" if value is None else str(value), quote=True)

    return PLACEHOLDER.sub(replace, template or "")
