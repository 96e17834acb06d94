"""The job page's view of a job: its screens and their components, shaped for the component templates.

The definitions were checked against the registry (``projects.components``) when they were saved; this
only fills in the defaults and shapes them for display. Every component is rendered by the platform's own
template for its type (``templates/worker/components/``), with Django's escaping, in the platform's page:
nothing a requester wrote runs as code there. The one piece of requester markup, a ``Text`` in the
``Html`` style, was sanitised when the screen was saved and goes through the same sanitiser again as it is
put into the page, so a row written some other way cannot bring a script in.
"""

from dataclasses import dataclass, field

from projects.components import REGISTRY, sanitize_html


@dataclass
class ComponentView:
    index: int
    type: str
    attrs: dict  # the definition with every attribute's default filled in
    interactive: bool
    html: str = ""  # an Html text, sanitised

    @property
    def required(self) -> bool:
        return self.interactive and not self.attrs.get("optionalResult", False)

    @property
    def template(self) -> str:
        return f"worker/components/{self.type.lower()}.html"

    @property
    def style(self) -> str:
        return self.attrs.get("style") or "PlainText"

    @property
    def options(self) -> list[dict]:
        return [self.attrs.get("option1") or {}, self.attrs.get("option2") or {}]

    @property
    def stars(self) -> range:
        return range(1, int(self.attrs.get("steps") or 0) + 1)

    @property
    def start(self):
        start = self.attrs.get("start")
        return self.attrs.get("min", 0) if start is None else start

    @property
    def duration_hint(self) -> str:
        low, high = self.attrs.get("minDurationInSeconds"), self.attrs.get("maxDurationInSeconds")
        if low and high:
            return f"Record between {_seconds(low)} and {_seconds(high)}."
        if low:
            return f"Record at least {_seconds(low)}."
        if high:
            return f"Record up to {_seconds(high)}."
        return ""


@dataclass
class ScreenView:
    index: int
    id: int
    name: str
    components: list[ComponentView] = field(default_factory=list)

    @property
    def number(self) -> int:
        return self.index + 1


def _seconds(value) -> str:
    value = int(value) if float(value).is_integer() else value
    return f"{value} second{'' if value == 1 else 's'}"


def component_view(index: int, definition: dict) -> ComponentView | None:
    spec = REGISTRY.get(definition.get("type"))
    if spec is None:
        return None
    attrs = {name: a.default for name, a in spec.attributes.items()} | definition
    view = ComponentView(index=index, type=spec.name, attrs=attrs, interactive=spec.interactive)
    if spec.name == "Text" and view.style == "Html":
        view.html = sanitize_html(attrs.get("text") or "")
    return view


def screen_views(screens) -> list[ScreenView]:
    """``screens``: the job's screens in order (``projects.models.Screen``)."""
    views = []
    for index, screen in enumerate(screens):
        components = [component_view(i, c) for i, c in enumerate(screen.components or [])]
        views.append(
            ScreenView(index=index, id=screen.pk, name=screen.name, components=[c for c in components if c])
        )
    return views
