"""The component registry: the 13 component types a screen is made of, their attributes and results.

A screen's ``components`` is a JSON list of objects, shown one below the other. Every component has the
common fields ``type`` (required), ``properties`` (free key/value text), ``sticky``, ``landscape`` and
``optionalResult`` (booleans, all optional), plus exactly the attributes of its type listed in
``REGISTRY``. ``validate_components`` checks a definition when a screen is saved; ``check_answers``
checks a worker's results for one screen when a job is submitted. Both raise ``ValidationFailed`` naming
the component's index and the attribute at fault (``field`` ``components[2].steps``, with ``index`` and
``attribute`` alongside). The reference with examples is ``docs/components.md``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

import nh3

from crowdplatform.errors import ValidationFailed
from crowdplatform.jsonvalues import holds_nul

# Bounds that keep a definition renderable and an answer checkable.
MAX_COMPONENTS = 100
MAX_TEXT = 20_000
MAX_LABEL = 500
MAX_RATING_STEPS = 100
MAX_DURATION_S = 3600
MAX_ANSWER_TEXT = 10_000
MAX_PROPERTIES = 50

TEXT_STYLES = ("Question", "Instruction", "H1", "H2", "PlainText", "Html", "Quote")
ORIENTATIONS = ("any", "portrait", "landscape")
COMMON_FIELDS = ("type", "properties", "sticky", "landscape", "optionalResult")

# Media a component points at: an absolute http(s) URL or a path on this server (an uploaded file).
_URL = re.compile(r"^(https?://[^\s]+|/[^\s]*)$", re.IGNORECASE)


@dataclass(frozen=True)
class Attribute:
    """One attribute of a component type. ``kind`` is one of string, text, number, integer, boolean,
    url, choice, option (a BinaryImageChoice option object)."""

    kind: str
    required: bool = False
    choices: tuple[str, ...] = ()
    minimum: int | None = None
    maximum: int | None = None
    default: object = None


@dataclass(frozen=True)
class ComponentType:
    name: str
    interactive: bool
    attributes: dict[str, Attribute]
    # The result's one key and what it holds, for interactive components.
    result_key: str | None = None
    result_kind: str | None = None
    # Media kind of a result url (recordings and drawings).
    result_media: str | None = None
    description: str = ""
    rules: tuple[Callable[[dict], None], ...] = field(default=())


class _Fault(Exception):
    """A fault inside one component, raised by the checks below and given its place by the caller."""

    def __init__(self, attribute: str, message: str, code: str = "invalid"):
        super().__init__(message)
        self.attribute, self.message, self.code = attribute, message, code


def _number(value) -> Decimal:
    return Decimal(str(value))


def _durations(component: dict) -> None:
    low, high = component.get("minDurationInSeconds"), component.get("maxDurationInSeconds")
    if high is not None and high <= 0:
        raise _Fault("maxDurationInSeconds", "maxDurationInSeconds must be more than 0.", "out-of-range")
    if low is not None and high is not None and low > high:
        raise _Fault(
            "minDurationInSeconds",
            "minDurationInSeconds cannot be more than maxDurationInSeconds.",
            "invalid-range",
        )


def _distinct_options(component: dict) -> None:
    first, second = component["option1"], component["option2"]
    key = "id" if isinstance(first, dict) else None
    a, b = (first[key], second[key]) if key else (first, second)
    if a == b:
        raise _Fault(
            "option2", "The two options must differ" + (" in id." if key else "."), "duplicate-option"
        )


def _stepper(component: dict) -> None:
    low, high = _number(component["min"]), _number(component["max"])
    step = _number(component.get("step", 1))
    if low >= high:
        raise _Fault("min", "min must be less than max.", "invalid-range")
    if step <= 0:
        raise _Fault("step", "step must be more than 0.", "out-of-range")
    if step > high - low:
        raise _Fault("step", "step cannot be larger than the range from min to max.", "out-of-range")
    if "start" in component:
        start = _number(component["start"])
        if not low <= start <= high:
            raise _Fault("start", "start must lie between min and max.", "out-of-range")
        if (start - low) % step:
            raise _Fault("start", "start must be min plus a whole number of steps.", "off-step")


def _text(component: dict) -> None:
    if component.get("style") == "Html":
        component["text"] = sanitize_html(component["text"])


_OPTIONAL_BOOL = Attribute("boolean", default=False)

REGISTRY: dict[str, ComponentType] = {
    c.name: c
    for c in (
        # Interactive.
        ComponentType(
            "AudioRecording",
            True,
            {
                "minDurationInSeconds": Attribute("number", minimum=0, maximum=MAX_DURATION_S),
                "maxDurationInSeconds": Attribute("number", minimum=0, maximum=MAX_DURATION_S),
            },
            "url",
            "url",
            result_media="audio",
            description="Records audio: record, play back, record again.",
            rules=(_durations,),
        ),
        ComponentType(
            "BinaryChoice",
            True,
            {"option1": Attribute("string", required=True), "option2": Attribute("string", required=True)},
            "selectedOption",
            "string",
            description="Two labelled buttons; the worker picks one.",
            rules=(_distinct_options,),
        ),
        ComponentType(
            "BinaryImageChoice",
            True,
            {"option1": Attribute("option", required=True), "option2": Attribute("option", required=True)},
            "selectedOption",
            "string",
            description="Two labelled images; the worker picks one (the result is the option's id).",
            rules=(_distinct_options,),
        ),
        ComponentType(
            "ImageMarker",
            True,
            {"url": Attribute("url", required=True)},
            "url",
            "url",
            result_media="image",
            description="Drawing over an image; the result is the drawing as a PNG.",
        ),
        ComponentType(
            "Rating",
            True,
            {
                "steps": Attribute("integer", required=True, minimum=1, maximum=MAX_RATING_STEPS),
                "halfSteps": _OPTIONAL_BOOL,
            },
            "rating",
            "number",
            description="A bar of stars; at least one star must be chosen.",
        ),
        ComponentType(
            "Stepper",
            True,
            {
                "min": Attribute("number", required=True),
                "max": Attribute("number", required=True),
                "step": Attribute("number", default=1),
                "start": Attribute("number"),
            },
            "result",
            "number",
            description="A number chosen with up and down arrows within min..max by step.",
            rules=(_stepper,),
        ),
        ComponentType(
            "TextInput",
            True,
            {"hint": Attribute("string")},
            "text",
            "string",
            description="A short text typed by the worker; the hint shows until typing starts.",
        ),
        ComponentType(
            "Toggle",
            True,
            {
                "label": Attribute("string", required=True),
                "checkedByDefault": _OPTIONAL_BOOL,
                "explanation": Attribute("text"),
            },
            "checked",
            "boolean",
            description="A true/false switch with a label and an explanation shown as a popup.",
        ),
        ComponentType(
            "VideoRecording",
            True,
            {
                "orientation": Attribute("choice", choices=ORIENTATIONS, default="any"),
                "minDurationInSeconds": Attribute("number", minimum=0, maximum=MAX_DURATION_S),
                "maxDurationInSeconds": Attribute("number", minimum=0, maximum=MAX_DURATION_S),
            },
            "url",
            "url",
            result_media="video",
            description="Records video with the device's camera.",
            rules=(_durations,),
        ),
        # Display only.
        ComponentType(
            "Audio",
            False,
            {
                "url": Attribute("url", required=True),
                "autoplay": _OPTIONAL_BOOL,
                "repeat": _OPTIONAL_BOOL,
                "mustListen": _OPTIONAL_BOOL,
            },
            description="An audio player; with mustListen the screen cannot be finished before it played through.",
        ),
        ComponentType("Image", False, {"url": Attribute("url", required=True)}, description="An image."),
        ComponentType(
            "Text",
            False,
            {
                "text": Attribute("text", required=True),
                "style": Attribute("choice", choices=TEXT_STYLES, default="PlainText"),
            },
            description="A text in one of the styles; Html is sanitised when the screen is saved.",
            rules=(_text,),
        ),
        ComponentType(
            "Video",
            False,
            {
                "url": Attribute("url", required=True),
                "autoplay": _OPTIONAL_BOOL,
                "repeat": _OPTIONAL_BOOL,
                "mustWatch": _OPTIONAL_BOOL,
                "playAudio": Attribute("boolean", default=True),
            },
            description="A video player; with mustWatch the screen cannot be finished before it played through.",
        ),
    )
}
INTERACTIVE = tuple(name for name, c in REGISTRY.items() if c.interactive)
DISPLAY = tuple(name for name, c in REGISTRY.items() if not c.interactive)

# Tags and attributes an Html text may keep; everything else (scripts, handlers, styles) is removed.
_HTML_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "div", "em", "h1", "h2", "h3", "h4", "hr", "i", "img",
    "li", "ol", "p", "pre", "s", "small", "span", "strong", "sub", "sup", "table", "tbody", "td", "th",
    "thead", "tr", "u", "ul",
}  # fmt: skip
_HTML_ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "title", "width", "height"}, "*": {"class"}}


def sanitize_html(text: str) -> str:
    """Html text as it may be shown to a worker (nh3: no scripts, handlers, styles or frames)."""
    return nh3.clean(
        text,
        tags=_HTML_TAGS,
        attributes=_HTML_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
    )


def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and value == value  # not NaN


def _check_value(name: str, attribute: Attribute, value) -> None:
    kind = attribute.kind
    if kind in ("string", "text"):
        if not isinstance(value, str):
            raise _Fault(name, f"{name} must be text.", "invalid-type")
        if len(value) > (MAX_TEXT if kind == "text" else MAX_LABEL):
            raise _Fault(name, f"{name} is too long.", "too-long")
        if attribute.required and not value.strip():
            raise _Fault(name, f"{name} cannot be empty.", "required")
    elif kind == "boolean":
        if not isinstance(value, bool):
            raise _Fault(name, f"{name} must be true or false.", "invalid-type")
    elif kind in ("number", "integer"):
        if not _is_number(value) or (kind == "integer" and not float(value).is_integer()):
            what = "a whole number" if kind == "integer" else "a number"
            raise _Fault(name, f"{name} must be {what}.", "invalid-type")
        if attribute.minimum is not None and value < attribute.minimum:
            raise _Fault(name, f"{name} must be at least {attribute.minimum}.", "out-of-range")
        if attribute.maximum is not None and value > attribute.maximum:
            raise _Fault(name, f"{name} must be at most {attribute.maximum}.", "out-of-range")
        if abs(value) > 1e12:
            raise _Fault(name, f"{name} is too large.", "out-of-range")
    elif kind == "url":
        if not isinstance(value, str) or not _URL.match(value) or len(value) > 2000:
            raise _Fault(name, f"{name} must be an http(s) URL or a path on this server.", "invalid-url")
    elif kind == "choice":
        if value not in attribute.choices:
            raise _Fault(name, f"{name} must be one of {', '.join(attribute.choices)}.", "invalid-choice")
    elif kind == "option":
        if not isinstance(value, dict):
            raise _Fault(name, f"{name} must be an object with id, url and label.", "invalid-type")
        unknown = sorted(set(value) - {"id", "url", "label"})
        if unknown:
            raise _Fault(
                f"{name}.{unknown[0]}", f"Unknown attribute {unknown[0]} in {name}.", "unknown-attribute"
            )
        for part, part_kind in (("id", "string"), ("url", "url"), ("label", "string")):
            if part not in value:
                raise _Fault(f"{name}.{part}", f"{name} needs {part}.", "missing-attribute")
            _check_value(f"{name}.{part}", Attribute(part_kind, required=True), value[part])


def _component_fault(index: int, fault: _Fault, prefix: str = "components") -> ValidationFailed:
    return ValidationFailed(
        f"Component {index}: {fault.message}",
        code=fault.code,
        field=f"{prefix}[{index}].{fault.attribute}",
        extra={"index": index, "attribute": fault.attribute},
    )


def validate_component(component) -> dict:
    """Check one component; return it as stored (Html text sanitised). Raises ``_Fault``."""
    if not isinstance(component, dict):
        raise _Fault("type", "A component must be a JSON object.", "invalid-type")
    if "type" not in component:
        raise _Fault("type", "A component needs a type.", "missing-attribute")
    spec = REGISTRY.get(component["type"]) if isinstance(component["type"], str) else None
    if spec is None:
        raise _Fault("type", f"Unknown component type {component['type']!r}.", "unknown-type")
    component = dict(component)
    for name in component:
        if name not in COMMON_FIELDS and name not in spec.attributes:
            raise _Fault(name, f"{spec.name} has no attribute {name}.", "unknown-attribute")
    for name in ("sticky", "landscape", "optionalResult"):
        if name in component:
            _check_value(name, _OPTIONAL_BOOL, component[name])
    properties = component.get("properties", {})
    if not isinstance(properties, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in properties.items()
    ):
        raise _Fault(
            "properties", "properties must be an object of text keys and text values.", "invalid-type"
        )
    if len(properties) > MAX_PROPERTIES:
        raise _Fault("properties", f"properties holds more than {MAX_PROPERTIES} keys.", "too-long")
    for name, attribute in spec.attributes.items():
        if name not in component:
            if attribute.required:
                raise _Fault(name, f"{spec.name} needs {name}.", "missing-attribute")
            continue
        _check_value(name, attribute, component[name])
    for rule in spec.rules:
        rule(component)
    return component


def validate_components(components) -> list[dict]:
    """Check a screen's component list; return it as it is stored. A fault is a 400 naming the index and
    attribute of the component at fault."""
    if not isinstance(components, list):
        raise ValidationFailed("components must be a JSON list.", code="invalid-type", field="components")
    if len(components) > MAX_COMPONENTS:
        raise ValidationFailed(
            f"A screen holds at most {MAX_COMPONENTS} components.", code="too-many", field="components"
        )
    if holds_nul(components):
        raise ValidationFailed("components hold a NUL character.", code="nul-character", field="components")
    checked = []
    for index, component in enumerate(components):
        try:
            checked.append(validate_component(component))
        except _Fault as fault:
            raise _component_fault(index, fault) from None
    return checked


def attribute(component: dict, name: str):
    """An attribute's value, or its default when the definition leaves it out."""
    if name in component:
        return component[name]
    return REGISTRY[component["type"]].attributes[name].default


# --- answers ---------------------------------------------------------------------------------------------


def _check_result(component: dict, result, media: Callable[[str, str], None] | None) -> dict:
    spec = REGISTRY[component["type"]]
    key = spec.result_key
    if not isinstance(result, dict):
        raise _Fault(key, f"The result must be an object with {key}.", "invalid-type")
    unknown = sorted(set(result) - {key})
    if unknown:
        raise _Fault(unknown[0], f"{spec.name} gives no result {unknown[0]}.", "unknown-attribute")
    if key not in result:
        raise _Fault(key, f"The result needs {key}.", "required")
    value = result[key]
    if spec.name == "BinaryChoice":
        if value not in (component["option1"], component["option2"]):
            raise _Fault(key, "selectedOption must be one of the two option labels.", "invalid-choice")
    elif spec.name == "BinaryImageChoice":
        if value not in (component["option1"]["id"], component["option2"]["id"]):
            raise _Fault(key, "selectedOption must be the id of one of the two options.", "invalid-choice")
    elif spec.name == "Rating":
        if not _is_number(value):
            raise _Fault(key, "rating must be a number.", "invalid-type")
        half = attribute(component, "halfSteps")
        lowest = Decimal("0.5") if half else Decimal(1)
        if not lowest <= _number(value) <= component["steps"]:
            raise _Fault(key, f"rating must lie between {lowest} and {component['steps']}.", "out-of-range")
        if _number(value) % (Decimal("0.5") if half else 1):
            raise _Fault(key, "rating must be a whole" + (" or half" if half else "") + " star.", "off-step")
    elif spec.name == "Stepper":
        if not _is_number(value):
            raise _Fault(key, "result must be a number.", "invalid-type")
        low, high, step = (
            _number(component["min"]),
            _number(component["max"]),
            _number(attribute(component, "step")),
        )
        if not low <= _number(value) <= high:
            raise _Fault(key, f"result must lie between {low} and {high}.", "out-of-range")
        if (_number(value) - low) % step:
            raise _Fault(key, f"result must be {low} plus a whole number of steps of {step}.", "off-step")
    elif spec.name == "TextInput":
        if not isinstance(value, str):
            raise _Fault(key, "text must be text.", "invalid-type")
        if len(value) > MAX_ANSWER_TEXT:
            raise _Fault(key, f"text is longer than {MAX_ANSWER_TEXT} characters.", "too-long")
        if not value.strip() and not component.get("optionalResult"):
            raise _Fault(key, "text cannot be empty.", "required")
    elif spec.name == "Toggle":
        if not isinstance(value, bool):
            raise _Fault(key, "checked must be true or false.", "invalid-type")
    elif spec.result_media:
        if not isinstance(value, str) or not value:
            raise _Fault(key, "url must be the address of an uploaded file.", "invalid-type")
        if media is not None:
            try:
                media(value, spec.result_media)
            except ValidationFailed as exc:
                raise _Fault(key, exc.message, exc.code) from None
    return {key: value}


def check_answers(
    components: list[dict],
    results,
    *,
    media: Callable[[str, str], None] | None = None,
    prefix: str = "results",
) -> dict:
    """Check one screen's results against its components; return them as stored.

    ``results`` maps a component's index (as text) to its result object (``{"rating": 4}``); every
    interactive component needs one unless it is ``optionalResult``, display components take none.
    ``media(url, kind)`` checks that a recording or drawing URL names a file the worker uploaded, of that
    kind, and raises ``ValidationFailed`` otherwise. A fault names the component's index and result key.
    """
    if not isinstance(results, dict):
        raise ValidationFailed(
            "results must be an object of component index to result.", code="invalid-type", field=prefix
        )
    by_index = {}
    for key in results:
        if not (isinstance(key, str) and key.isdigit() and int(key) < len(components)):
            raise ValidationFailed(
                f"There is no component {key!r} on this screen.",
                code="unknown-component",
                field=f"{prefix}.{key}",
            )
        by_index[int(key)] = results[key]
    checked = {}
    for index, component in enumerate(components):
        spec = REGISTRY[component["type"]]
        try:
            if not spec.interactive:
                if index in by_index:
                    raise _Fault(
                        "type", f"{spec.name} shows content and takes no result.", "no-result-expected"
                    )
                continue
            if index not in by_index:
                if component.get("optionalResult"):
                    continue
                raise _Fault(spec.result_key, f"{spec.name} needs an answer.", "required")
            checked[str(index)] = _check_result(component, by_index[index], media)
        except _Fault as fault:
            raise _component_fault(index, fault, prefix) from None
    return checked


def result_shape() -> dict[str, dict]:
    """Per interactive type, its result key and kind (for documentation and the schema)."""
    return {name: {c.result_key: c.result_kind} for name, c in REGISTRY.items() if c.interactive}


def media_urls(components: list[dict]) -> list[str]:
    """Every URL a screen's components point at (component and option images), in order."""
    urls = []
    for component in components:
        if isinstance(component.get("url"), str):
            urls.append(component["url"])
        for option in ("option1", "option2"):
            if isinstance(component.get(option), dict) and isinstance(component[option].get("url"), str):
                urls.append(component[option]["url"])
    return urls


# What a worker's answers to a screen upload, estimated: recordings at the bit rates browsers record at by
# default (MediaRecorder: about 128 kbit/s of sound, 2.5 Mbit/s of film), for their longest allowed time (a
# minute when none is set), and a drawing as a PNG of its marks.
AUDIO_BYTES_PER_S = 16_000
VIDEO_BYTES_PER_S = 312_500
DRAWING_BYTES = 100_000
UNBOUNDED_RECORDING_S = 60


def estimated_upload_bytes(components: list[dict]) -> int:
    """About how many bytes a worker uploads answering a screen of these components."""
    total = 0
    for component in components:
        kind = REGISTRY[component["type"]].result_media
        if kind in ("audio", "video"):
            seconds = component.get("maxDurationInSeconds") or UNBOUNDED_RECORDING_S
            total += int(seconds * (AUDIO_BYTES_PER_S if kind == "audio" else VIDEO_BYTES_PER_S))
        elif kind == "image":
            total += DRAWING_BYTES
    return total
