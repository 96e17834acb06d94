"""The job page's view of a job: its screens and their components, ready for the component templates.

The definitions were validated when they were saved; this only shapes them for display. Every component
is rendered by the platform's own template for its type (``templates/worker/components/``), with Django's
escaping, inside the platform's page: nothing a requester wrote runs as code there. The one piece of
requester markup, a ``Text`` in the ``Html`` style, was sanitised when the screen was saved and is cleaned
again here, as it is put into the page.
"""

from dataclasses import dataclass, field

import nh3

INTERACTIVE = (
    "AudioRecording",
    "BinaryChoice",
    "BinaryImageChoice",
    "ImageMarker",
    "Rating",
    "Stepper",
    "TextInput",
    "Toggle",
    "VideoRecording",
)
DISPLAY = ("Audio", "Image", "Text", "Video")
TEXT_STYLES = ("Question", "Instruction", "H1", "H2", "PlainText", "Html", "Quote")


@dataclass
class ComponentView:
    index: int
    type: str
    attrs: dict
    html: str = ""  # the cleaned markup of an Html text

    @property
    def interactive(self) -> bool:
        return self.type in INTERACTIVE

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
    id: int | None
    name: str
    components: list[ComponentView] = field(default_factory=list)

    @property
    def number(self) -> int:
        return self.index + 1


def _seconds(value) -> str:
    value = int(value) if float(value).is_integer() else value
    return f"{value} second{'' if value == 1 else 's'}"


def component_view(index: int, definition: dict) -> ComponentView:
    kind = definition.get("type", "")
    view = ComponentView(index=index, type=kind, attrs=definition)
    if kind == "Text" and definition.get("style") == "Html":
        view.html = nh3.clean(definition.get("text") or "", link_rel="noopener noreferrer nofollow")
    return view


def screen_views(screens) -> list[ScreenView]:
    """``screens``: the job's screens in order, each with ``pk`` (or ``id``), ``name`` and ``components``."""
    views = []
    for index, screen in enumerate(screens):
        get = screen.get if isinstance(screen, dict) else lambda key, s=screen: getattr(s, key, None)
        components = [
            component_view(i, c) for i, c in enumerate(get("components") or []) if c.get("type") in INTERACTIVE + DISPLAY
        ]
        views.append(
            ScreenView(
                index=index, id=get("pk") or get("id"), name=get("name") or "", components=components
            )
        )
    return views
