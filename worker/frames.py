"""The sandboxed frame that shows a requester's template, and the signed token its form submits with.

The frame is served from its own URL with a CSP ``sandbox`` directive and embedded in an iframe without
``allow-same-origin``, so the template runs in an opaque origin: it cannot read the platform's cookies,
and ``connect-src`` falls back to ``default-src 'none'`` so it cannot call the API either. Because an
opaque origin cannot send the session or CSRF cookies reliably, the form carries a signed token bound to
the assignment, the worker and the assignment's last change, which makes it good for one submit only.
"""

import json
import re

from django.core import signing
from django.utils.html import escape

from projects.templating import render_template
from results.models import Assignment

TOKEN_SALT = "worker.frame-submit"
TOKEN_FIELD = "crowdSubmitToken"
# Whether to go straight to the next task after this submit: the worker's switch on the page around the
# frame, sent in with the answers (the page tells the frame when it changes). Not signed: it decides only
# what the worker is shown next.
AUTO_NEXT_FIELD = "crowdAutoNext"
MTURK_FIELDS = ("assignmentId", "hitId", "workerId", TOKEN_FIELD, AUTO_NEXT_FIELD)
HAS_SUBMIT = re.compile(r"<(input|button)\b[^>]*type\s*=\s*[\"']?submit|<button\b(?![^>]*type\s*=)", re.I)

# Sandbox flags shared by the iframe attribute and the frame's own CSP (the effective set is the overlap).
SANDBOX_WORK = "allow-scripts allow-forms allow-top-navigation-by-user-activation"
SANDBOX_PREVIEW = "allow-scripts"

_CSP_COMMON = (
    "default-src 'none'; img-src * data: blob:; media-src * data: blob:; font-src * data:; "
    "style-src 'unsafe-inline' *; script-src 'unsafe-inline' *; frame-ancestors 'self'; base-uri 'none'"
)


def frame_csp(*, preview: bool) -> str:
    if preview:
        return f"sandbox {SANDBOX_PREVIEW}; {_CSP_COMMON}; form-action 'none'"
    return f"sandbox {SANDBOX_WORK}; {_CSP_COMMON}; form-action 'self'"


def _stamp(assignment: Assignment) -> str:
    return assignment.updated_at.isoformat()


def submit_token_make(*, assignment: Assignment) -> str:
    return signing.dumps(
        {"a": assignment.pk, "w": assignment.worker_id, "u": _stamp(assignment)},
        salt=TOKEN_SALT,
        compress=True,
    )


def submit_token_read(token: str, *, assignment: Assignment) -> dict | None:
    """The token's payload if it was made for this assignment as it is now; None otherwise."""
    try:
        payload = signing.loads(token or "", salt=TOKEN_SALT)
    except signing.BadSignature:
        return None
    if payload.get("a") != assignment.pk or payload.get("w") != assignment.worker_id:
        return None
    if payload.get("u") != _stamp(assignment):
        return None
    return payload


def answers_from_post(post) -> dict:
    """The form's fields as answers: a list where a field has several values, a string otherwise."""
    answers = {}
    for name, values in post.lists():
        if name in MTURK_FIELDS or name == "csrfmiddlewaretoken":
            continue
        answers[name] = values if len(values) > 1 else values[0]
    return answers


def frame_document(
    *,
    template: str,
    values: dict,
    submit_url: str = "",
    hidden: dict | None = None,
    prefill: dict | None = None,
    preview: bool = False,
) -> str:
    """The complete HTML of the frame: the filled template inside the form that posts the answers.

    A ``preview`` cannot be sent (its CSP forbids any form action): its submit buttons are shown switched
    off, so that nothing in it looks like it would take the worker's answers."""
    body = render_template(template, values)
    if submit_url and not HAS_SUBMIT.search(template or ""):
        body += '\n<p><input type="submit" value="Submit"></p>'
    fields = "".join(
        f'<input type="hidden" name="{escape(k)}" value="{escape(v)}">' for k, v in (hidden or {}).items()
    )
    action = f' action="{escape(submit_url)}" target="_top"' if submit_url else ""
    script = f"<script>({_PAGE_LINK_JS})();</script>"
    if preview:
        script += f"<style>{_PREVIEW_STYLE}</style><script>({_PREVIEW_JS})();</script>"
    if prefill:
        data = json.dumps(prefill).replace("<", "\\u003c")
        script += f"<script>({_PREFILL_JS})({data});</script>"
    return _document(f'<form id="crowd-task-form" method="post"{action}>{fields}\n{body}\n</form>{script}')


def frame_message(text: str) -> str:
    """A frame that only says ``text``: what the frame shows when its task can no longer be worked on."""
    return _document(f'<p class="crowd-frame-message">{escape(text)}</p>')


# Readable defaults for any template on a narrow screen: pictures and fields no wider than the frame,
# long words broken, fields and buttons big enough to touch. A template's own styles come later and win.
_BASE_STYLE = (
    "body{margin:0;padding:1rem;font-family:system-ui,sans-serif;line-height:1.45;overflow-wrap:anywhere}"
    "img,video,textarea,input,select,table{max-width:100%}"
    "input[type=radio],input[type=checkbox]{width:1.25rem;height:1.25rem;vertical-align:-0.2rem}"
    "input[type=submit],button{min-height:2.75rem;padding:0 1.25rem;font-size:1rem}"
)


def _document(body: str) -> str:
    return (
        '<!doctype html><html><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<style>{_BASE_STYLE}</style></head><body>{body}</body></html>"
    )


# The frame's side of its link with the page around it (which it cannot reach otherwise): it tells the
# page how tall it is, so the page can show it whole, and takes the worker's auto-accept switch from it.
_PAGE_LINK_JS = (
    """function () {
  var form = document.getElementById('crowd-task-form');
  // The body's own height (content and padding): unlike the document's, it does not follow the frame's
  // height, so sizing the frame to it does not make it grow again.
  function height() {
    parent.postMessage({crowdFrameHeight: Math.ceil(document.body.getBoundingClientRect().height)}, '*');
  }
  window.addEventListener('load', height);
  if (window.ResizeObserver) new ResizeObserver(height).observe(document.body);
  window.addEventListener('message', function (event) {
    if (event.source !== parent || !event.data || typeof event.data.crowdAutoNext !== 'boolean') return;
    var field = form && form.elements['"""
    + AUTO_NEXT_FIELD
    + """'];
    if (field) field.value = event.data.crowdAutoNext ? '1' : '0';
  });
}"""
)


# A preview's submit controls: greyed and inert even where its script does not run, disabled where it does.
_SUBMITS = "input[type=submit],input[type=image],button:not([type]),button[type=submit]"
_PREVIEW_STYLE = f"{_SUBMITS}{{opacity:.45;cursor:not-allowed;pointer-events:none}}"
_PREVIEW_JS = (
    """function () {
  document.querySelectorAll('"""
    + _SUBMITS
    + """').forEach(function (el) {
    el.disabled = true;
    el.title = 'Preview: accept the task to answer it';
  });
}"""
)


# Put earlier answers back into the form when soft-rejected work is redone.
_PREFILL_JS = """function (answers) {
  var form = document.getElementById('crowd-task-form');
  Object.keys(answers).forEach(function (name) {
    var wanted = [].concat(answers[name]).map(String);
    Array.prototype.forEach.call(form.elements, function (el) {
      if (el.name !== name) return;
      if (el.type === 'checkbox' || el.type === 'radio') el.checked = wanted.indexOf(el.value) >= 0;
      else if (el.tagName === 'SELECT') Array.prototype.forEach.call(el.options, function (o) {
        o.selected = wanted.indexOf(o.value) >= 0; });
      else if (el.type !== 'hidden' && el.type !== 'submit') el.value = wanted[0];
    });
  });
}"""
