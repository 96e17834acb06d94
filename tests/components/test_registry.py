"""The component registry on its own (no database): every type's valid definition, each invalid attribute,
a valid answer and each invalid answer."""

import pytest

from crowdplatform.errors import ValidationFailed
from projects.components import DISPLAY, INTERACTIVE, REGISTRY, check_answers, validate_components

IMG = "https://example.org/cat.png"
VALID = {
    "AudioRecording": {"type": "AudioRecording", "minDurationInSeconds": 2, "maxDurationInSeconds": 30},
    "BinaryChoice": {"type": "BinaryChoice", "option1": "Yes", "option2": "No"},
    "BinaryImageChoice": {
        "type": "BinaryImageChoice",
        "option1": {"id": "a", "url": IMG, "label": "Left"},
        "option2": {"id": "b", "url": "/api/v1/media/abcdefghijklmnop/", "label": "Right"},
    },
    "ImageMarker": {"type": "ImageMarker", "url": IMG},
    "Rating": {"type": "Rating", "steps": 5, "halfSteps": True},
    "Stepper": {"type": "Stepper", "min": 0, "max": 10, "step": 2, "start": 4},
    "TextInput": {"type": "TextInput", "hint": "Type the word"},
    "Toggle": {"type": "Toggle", "label": "Blurry", "checkedByDefault": False, "explanation": "Out of focus"},
    "VideoRecording": {
        "type": "VideoRecording",
        "orientation": "landscape",
        "minDurationInSeconds": 1,
        "maxDurationInSeconds": 10,
    },
    "Audio": {
        "type": "Audio",
        "url": "https://example.org/a.mp3",
        "autoplay": True,
        "repeat": False,
        "mustListen": True,
    },
    "Image": {"type": "Image", "url": IMG},
    "Text": {"type": "Text", "text": "Is there a cat?", "style": "Question"},
    "Video": {
        "type": "Video",
        "url": "https://example.org/v.mp4",
        "autoplay": False,
        "repeat": True,
        "mustWatch": True,
        "playAudio": False,
    },
}

# (type, changes to the valid definition (None removes the attribute), attribute at fault, code)
INVALID = [
    ("AudioRecording", {"minDurationInSeconds": "2"}, "minDurationInSeconds", "invalid-type"),
    ("AudioRecording", {"minDurationInSeconds": -1}, "minDurationInSeconds", "out-of-range"),
    ("AudioRecording", {"maxDurationInSeconds": 0}, "maxDurationInSeconds", "out-of-range"),
    ("AudioRecording", {"maxDurationInSeconds": 99999}, "maxDurationInSeconds", "out-of-range"),
    ("AudioRecording", {"minDurationInSeconds": 40}, "minDurationInSeconds", "invalid-range"),
    ("BinaryChoice", {"option1": None}, "option1", "missing-attribute"),
    ("BinaryChoice", {"option2": 3}, "option2", "invalid-type"),
    ("BinaryChoice", {"option1": "  "}, "option1", "required"),
    ("BinaryChoice", {"option2": "Yes"}, "option2", "duplicate-option"),
    ("BinaryImageChoice", {"option1": None}, "option1", "missing-attribute"),
    ("BinaryImageChoice", {"option1": "a"}, "option1", "invalid-type"),
    ("BinaryImageChoice", {"option2": {"id": "b", "url": IMG}}, "option2.label", "missing-attribute"),
    (
        "BinaryImageChoice",
        {"option2": {"id": "b", "url": "javascript:alert(1)", "label": "R"}},
        "option2.url",
        "invalid-url",
    ),
    (
        "BinaryImageChoice",
        {"option2": {"id": "b", "url": IMG, "label": "R", "x": 1}},
        "option2.x",
        "unknown-attribute",
    ),
    ("BinaryImageChoice", {"option2": {"id": "a", "url": IMG, "label": "R"}}, "option2", "duplicate-option"),
    ("ImageMarker", {"url": None}, "url", "missing-attribute"),
    ("ImageMarker", {"url": "file:///etc/passwd"}, "url", "invalid-url"),
    ("Rating", {"steps": None}, "steps", "missing-attribute"),
    ("Rating", {"steps": 0}, "steps", "out-of-range"),
    ("Rating", {"steps": 101}, "steps", "out-of-range"),
    ("Rating", {"steps": 2.5}, "steps", "invalid-type"),
    ("Rating", {"halfSteps": "yes"}, "halfSteps", "invalid-type"),
    ("Stepper", {"min": None}, "min", "missing-attribute"),
    ("Stepper", {"max": None}, "max", "missing-attribute"),
    ("Stepper", {"min": 10, "max": 0}, "min", "invalid-range"),
    ("Stepper", {"step": 0}, "step", "out-of-range"),
    ("Stepper", {"step": 11}, "step", "out-of-range"),
    ("Stepper", {"start": 11}, "start", "out-of-range"),
    ("Stepper", {"start": 3}, "start", "off-step"),
    ("Stepper", {"max": "10"}, "max", "invalid-type"),
    ("TextInput", {"hint": 5}, "hint", "invalid-type"),
    ("Toggle", {"label": None}, "label", "missing-attribute"),
    ("Toggle", {"checkedByDefault": 1}, "checkedByDefault", "invalid-type"),
    ("Toggle", {"explanation": ["x"]}, "explanation", "invalid-type"),
    ("VideoRecording", {"orientation": "sideways"}, "orientation", "invalid-choice"),
    ("VideoRecording", {"minDurationInSeconds": 20}, "minDurationInSeconds", "invalid-range"),
    ("VideoRecording", {"maxDurationInSeconds": True}, "maxDurationInSeconds", "invalid-type"),
    ("Audio", {"url": None}, "url", "missing-attribute"),
    ("Audio", {"autoplay": "true"}, "autoplay", "invalid-type"),
    ("Audio", {"repeat": "off"}, "repeat", "invalid-type"),
    ("Audio", {"mustListen": 0}, "mustListen", "invalid-type"),
    ("Image", {"url": None}, "url", "missing-attribute"),
    ("Image", {"url": "data:image/png;base64,AAAA"}, "url", "invalid-url"),
    ("Text", {"text": None}, "text", "missing-attribute"),
    ("Text", {"style": "Shout"}, "style", "invalid-choice"),
    ("Text", {"text": 7}, "text", "invalid-type"),
    ("Video", {"url": None}, "url", "missing-attribute"),
    ("Video", {"mustWatch": "no"}, "mustWatch", "invalid-type"),
    ("Video", {"autoplay": []}, "autoplay", "invalid-type"),
    ("Video", {"repeat": {}}, "repeat", "invalid-type"),
    ("Video", {"playAudio": 1}, "playAudio", "invalid-type"),
]

# Faults any component may have in its common fields.
COMMON_INVALID = [
    ({"type": "Slider"}, "type", "unknown-type"),
    ({"type": None}, "type", "missing-attribute"),
    ({"colour": "red"}, "colour", "unknown-attribute"),
    ({"sticky": "no"}, "sticky", "invalid-type"),
    ({"landscape": 1}, "landscape", "invalid-type"),
    ({"optionalResult": "yes"}, "optionalResult", "invalid-type"),
    ({"properties": {"k": 1}}, "properties", "invalid-type"),
    ({"properties": ["k"]}, "properties", "invalid-type"),
]

MEDIA_URL = "/api/v1/media/recordedrecorded01/"
VALID_ANSWERS = {
    "AudioRecording": {"url": MEDIA_URL},
    "BinaryChoice": {"selectedOption": "No"},
    "BinaryImageChoice": {"selectedOption": "b"},
    "ImageMarker": {"url": MEDIA_URL},
    "Rating": {"rating": 3.5},
    "Stepper": {"result": 8},
    "TextInput": {"text": "cat"},
    "Toggle": {"checked": False},
    "VideoRecording": {"url": MEDIA_URL},
}

# (type, result, key at fault, code)
INVALID_ANSWERS = [
    ("AudioRecording", {"url": "/api/v1/media/someoneelsesfile1/"}, "url", "media-not-found"),
    ("AudioRecording", {"url": 5}, "url", "invalid-type"),
    ("BinaryChoice", {"selectedOption": "Maybe"}, "selectedOption", "invalid-choice"),
    ("BinaryChoice", {}, "selectedOption", "required"),
    ("BinaryImageChoice", {"selectedOption": "Left"}, "selectedOption", "invalid-choice"),
    ("ImageMarker", {"url": ""}, "url", "invalid-type"),
    ("ImageMarker", {"url": "/api/v1/media/someoneelsesfile1/"}, "url", "media-not-found"),
    ("Rating", {"rating": 0}, "rating", "out-of-range"),
    ("Rating", {"rating": 6}, "rating", "out-of-range"),
    ("Rating", {"rating": 2.25}, "rating", "off-step"),
    ("Rating", {"rating": "4"}, "rating", "invalid-type"),
    ("Stepper", {"result": 12}, "result", "out-of-range"),
    ("Stepper", {"result": 3}, "result", "off-step"),
    ("Stepper", {"result": None}, "result", "invalid-type"),
    ("TextInput", {"text": ""}, "text", "required"),
    ("TextInput", {"text": "x" * 10_001}, "text", "too-long"),
    ("TextInput", {"text": ["cat"]}, "text", "invalid-type"),
    ("Toggle", {"checked": "true"}, "checked", "invalid-type"),
    ("Toggle", {"checked": True, "why": "x"}, "why", "unknown-attribute"),
    ("VideoRecording", {"url": "/api/v1/media/someoneelsesfile1/"}, "url", "media-not-found"),
]


def media(url, kind):
    if url != MEDIA_URL:
        raise ValidationFailed("url must be a file you uploaded for this assignment.", code="media-not-found")


def changed(definition: dict, changes: dict) -> dict:
    out = dict(definition)
    for key, value in changes.items():
        if value is None:
            out.pop(key, None)
        else:
            out[key] = value
    return out


def test_registry_has_the_thirteen_types_of_the_seed():
    assert sorted(INTERACTIVE) == sorted(
        ["AudioRecording", "BinaryChoice", "BinaryImageChoice", "ImageMarker", "Rating", "Stepper", "TextInput",
         "Toggle", "VideoRecording"]
    )  # fmt: skip
    assert sorted(DISPLAY) == ["Audio", "Image", "Text", "Video"]
    assert set(VALID) == set(REGISTRY)
    assert set(VALID_ANSWERS) == set(INTERACTIVE)


@pytest.mark.parametrize("kind", sorted(VALID))
def test_a_valid_definition_is_kept_as_given(kind):
    # given a valid component with the common fields
    component = {**VALID[kind], "sticky": True, "landscape": False, "properties": {"k": "v"}}
    # when the screen is checked, then it is stored as given
    assert validate_components([VALID["Text"], component]) == [VALID["Text"], component]


@pytest.mark.parametrize("kind, changes, attribute, code", INVALID)
def test_an_invalid_attribute_is_refused_with_its_index_and_name(kind, changes, attribute, code):
    # given a screen whose second component has one bad attribute
    components = [VALID["Text"], changed(VALID[kind], changes)]
    # when it is checked
    with pytest.raises(ValidationFailed) as refused:
        validate_components(components)
    # then the fault names the component's index and attribute
    assert refused.value.code == code
    assert refused.value.field == f"components[1].{attribute}"
    assert refused.value.extra == {"index": 1, "attribute": attribute}


def test_every_attribute_of_every_type_has_an_invalid_case():
    covered = {(kind, attribute.split(".")[0]) for kind, _, attribute, _ in INVALID}
    for name, spec in REGISTRY.items():
        for attribute in spec.attributes:
            assert (name, attribute) in covered, (name, attribute)


@pytest.mark.parametrize("kind", sorted(VALID))
@pytest.mark.parametrize("changes, attribute, code", COMMON_INVALID)
def test_common_fields_are_checked_on_every_type(kind, changes, attribute, code):
    with pytest.raises(ValidationFailed) as refused:
        validate_components([changed(VALID[kind], changes)])
    assert (refused.value.code, refused.value.extra["attribute"]) == (code, attribute)


def test_html_text_is_sanitised_when_saved():
    component = {"type": "Text", "style": "Html", "text": '<p onclick="x()">Hi<script>alert(1)</script></p>'}
    [stored] = validate_components([component])
    assert stored["text"] == "<p>Hi</p>"
    # and text in other styles is kept as written (it is shown as text, escaped)
    plain = {"type": "Text", "style": "PlainText", "text": "<b>1 < 2</b>"}
    assert validate_components([plain]) == [plain]


def test_a_screen_that_is_not_a_list_or_has_nul_is_refused():
    for components, code in (
        ({"type": "Text"}, "invalid-type"),
        ([{"type": "Text", "text": "a\x00"}], "nul-character"),
    ):
        with pytest.raises(ValidationFailed) as refused:
            validate_components(components)
        assert refused.value.code == code


@pytest.mark.parametrize("kind", sorted(VALID_ANSWERS))
def test_a_valid_answer_is_accepted(kind):
    components = [VALID["Text"], VALID[kind]]
    assert check_answers(components, {"1": VALID_ANSWERS[kind]}, media=media) == {"1": VALID_ANSWERS[kind]}


@pytest.mark.parametrize("kind, result, key, code", INVALID_ANSWERS)
def test_an_invalid_answer_is_refused_with_its_component(kind, result, key, code):
    components = [VALID["Text"], VALID[kind]]
    with pytest.raises(ValidationFailed) as refused:
        check_answers(components, {"1": result}, media=media)
    assert refused.value.code == code
    assert refused.value.field == f"results[1].{key}"
    assert refused.value.extra == {"index": 1, "attribute": key}


def test_every_interactive_type_has_an_invalid_answer_case():
    assert {kind for kind, *_ in INVALID_ANSWERS} == set(INTERACTIVE)


def test_missing_answers_display_results_and_unknown_indexes_are_refused():
    components = [VALID["Text"], VALID["Rating"]]
    cases = [
        ({}, "required", "results[1].rating"),
        ({"0": {"text": "x"}, "1": {"rating": 2}}, "no-result-expected", "results[0].type"),
        ({"1": {"rating": 2}, "2": {"rating": 1}}, "unknown-component", "results.2"),
        ([], "invalid-type", "results"),
    ]
    for results, code, field in cases:
        with pytest.raises(ValidationFailed) as refused:
            check_answers(components, results)
        assert (refused.value.code, refused.value.field) == (code, field)


def test_an_optional_result_may_be_left_out():
    components = [{**VALID["TextInput"], "optionalResult": True}, {**VALID["Rating"], "optionalResult": True}]
    assert check_answers(components, {}) == {}
    assert check_answers(components, {"0": {"text": ""}}) == {"0": {"text": ""}}


def test_whole_star_ratings_without_half_steps():
    components = [{"type": "Rating", "steps": 3}]
    assert check_answers(components, {"0": {"rating": 3}}) == {"0": {"rating": 3}}
    for bad in (0.5, 1.5):
        with pytest.raises(ValidationFailed):
            check_answers(components, {"0": {"rating": bad}})
