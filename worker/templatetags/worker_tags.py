import markdown as markdown_lib
import nh3
from django import template
from django.utils.safestring import mark_safe

register = template.Library()

# Reviewer feedback is Markdown written by requesters: render it, then keep only harmless markup.
FEEDBACK_TAGS = {
    "p", "br", "strong", "em", "code", "pre", "blockquote", "ul", "ol", "li", "a", "h3", "h4", "h5", "hr",
}  # fmt: skip


@register.filter
def markdown(text: str) -> str:
    html = markdown_lib.markdown(text or "", extensions=["sane_lists"])
    return mark_safe(  # noqa: S308 - sanitised by nh3 just above
        nh3.clean(html, tags=FEEDBACK_TAGS, link_rel="noopener noreferrer nofollow")
    )


@register.filter
def duration(seconds) -> str:
    """A time allowance in words: '45 s', '30 min', '2 h 15 min'."""
    seconds = int(seconds or 0)
    if seconds < 60:
        return f"{seconds} s"
    hours, minutes = divmod(seconds // 60, 60)
    if not hours:
        return f"{minutes} min"
    return f"{hours} h {minutes} min" if minutes else f"{hours} h"
