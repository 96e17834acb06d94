from django import template
from django.utils.safestring import mark_safe

from projects.markdown import render_markdown

register = template.Library()


@register.filter
def markdown(text: str) -> str:
    """Reviewer feedback (Markdown written by requesters), rendered and sanitised once, in projects.markdown."""
    return mark_safe(render_markdown(text))  # noqa: S308 - sanitised by nh3 in render_markdown


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
