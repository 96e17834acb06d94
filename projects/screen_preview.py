"""A screen drawn as static HTML, component by component, for the admin's read-only preview.

Nothing in it runs: inputs are disabled, media players have controls only, Html text is the sanitised
text stored with the screen and every other text is escaped.
"""

from django.utils.html import escape, format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from .components import REGISTRY, attribute

_TEXT_TAGS = {
    "Question": "p",
    "Instruction": "p",
    "H1": "h1",
    "H2": "h2",
    "PlainText": "p",
    "Quote": "blockquote",
}


def _component(component: dict) -> SafeString:
    kind = component["type"]
    if kind == "Text":
        style = attribute(component, "style")
        if style == "Html":
            return mark_safe(f'<div class="c-html">{component["text"]}</div>')  # noqa: S308 - sanitised on save
        tag = _TEXT_TAGS[style]
        return format_html('<{} class="c-text c-{}">{}</{}>', tag, style.lower(), component["text"], tag)
    if kind in ("Image", "ImageMarker"):
        note = " (the worker draws on it)" if kind == "ImageMarker" else ""
        return format_html(
            '<figure><img src="{}" alt="" style="max-width:100%">{}</figure>', component["url"], note
        )
    if kind == "Audio":
        return format_html('<audio controls preload="none" src="{}"></audio>', component["url"])
    if kind == "Video":
        return format_html(
            '<video controls preload="none" style="max-width:100%" src="{}"></video>', component["url"]
        )
    if kind == "BinaryChoice":
        return format_html(
            '<button type="button" disabled>{}</button> <button type="button" disabled>{}</button>',
            component["option1"],
            component["option2"],
        )
    if kind == "BinaryImageChoice":
        return format_html_join(
            " ",
            '<figure style="display:inline-block"><img src="{}" alt="" style="max-width:45%"><figcaption>{}'
            "</figcaption></figure>",
            ((component[o]["url"], component[o]["label"]) for o in ("option1", "option2")),
        )
    if kind == "Rating":
        half = " (half stars allowed)" if attribute(component, "halfSteps") else ""
        return format_html("<span>{}{}</span>", "☆" * int(component["steps"]), half)
    if kind == "Stepper":
        start = component.get("start", component["min"])
        return format_html(
            '<input type="number" disabled value="{}" min="{}" max="{}" step="{}">',
            start,
            component["min"],
            component["max"],
            attribute(component, "step"),
        )
    if kind == "TextInput":
        return format_html('<input type="text" disabled placeholder="{}">', component.get("hint", ""))
    if kind == "Toggle":
        checked = " checked" if attribute(component, "checkedByDefault") else ""
        return format_html(
            '<label><input type="checkbox" disabled{}> {}</label> <small>{}</small>',
            checked,
            component["label"],
            component.get("explanation", ""),
        )
    if kind in ("AudioRecording", "VideoRecording"):
        low, high = component.get("minDurationInSeconds"), component.get("maxDurationInSeconds")
        limits = f" ({low or 0}–{high} s)" if high else ""
        return format_html('<button type="button" disabled>● Record {}{}</button>', kind[:5].lower(), limits)
    return format_html("<span>{}</span>", kind)


def screen_preview_html(components: list[dict]) -> SafeString:
    """The screen's components in order, each in a box naming its place and type."""
    rows = []
    for index, component in enumerate(components):
        spec = REGISTRY.get(component.get("type"))
        if spec is None:
            continue
        label = f"{index} · {spec.name}" + (
            " · answer needed" if spec.interactive and not component.get("optionalResult") else ""
        )
        rows.append(
            format_html(
                '<div class="c-box" style="border:1px solid #ccc;border-radius:6px;padding:8px;margin:6px 0">'
                '<div style="font-size:11px;color:#666">{}</div>{}</div>',
                label,
                _component(component),
            )
        )
    return mark_safe(f'<div class="screen-preview" style="max-width:420px">{"".join(rows)}</div>')  # noqa: S308


def components_table_html(components: list[dict]) -> SafeString:
    """The components in order as a table: place, type, attributes."""
    rows = format_html_join(
        "",
        "<tr><td>{}</td><td>{}</td><td><code>{}</code></td></tr>",
        (
            (i, c.get("type"), ", ".join(f"{k}={escape(str(v))[:80]}" for k, v in c.items() if k != "type"))
            for i, c in enumerate(components)
        ),
    )
    return format_html("<table><tr><th>#</th><th>type</th><th>attributes</th></tr>{}</table>", rows)
