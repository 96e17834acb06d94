"""Review feedback in Markdown, rendered as HTML that is safe to show to a worker.

Rendered by the ``markdown`` library, then sanitised by nh3. As Swarms allows, an image whose address is
a sound or a film (by its extension) becomes an audio or video player, and a YouTube link (alone or around
a thumbnail, as in the Markdown cheat sheet) stays a link that opens the video.
"""

import re

import markdown as markdown_lib
import nh3
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor

MAX_MARKDOWN = 50_000

_AUDIO = re.compile(r"\.(aac|m4a|mp3|oga|ogg|opus|wav)$", re.IGNORECASE)
_VIDEO = re.compile(r"\.(mp4|m4v|mov|ogv|webm)$", re.IGNORECASE)

TAGS = {
    "a", "audio", "blockquote", "br", "code", "em", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "img", "li",
    "ol", "p", "pre", "source", "strong", "table", "tbody", "td", "th", "thead", "tr", "ul", "video", "del",
}  # fmt: skip
ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title"},
    "audio": {"src", "controls", "preload"},
    "video": {"src", "controls", "preload", "playsinline"},
    "source": {"src", "type"},
}


class _MediaImages(Treeprocessor):
    def run(self, root):
        for image in list(root.iter("img")):
            src = (image.get("src") or "").split("?", 1)[0]
            tag = "audio" if _AUDIO.search(src) else "video" if _VIDEO.search(src) else None
            if tag:
                alt = image.get("alt", "")
                image.clear()
                image.tag = tag
                image.set("src", src)
                image.set("controls", "controls")
                image.set("preload", "metadata")
                image.text = alt
                if tag == "video":
                    image.set("playsinline", "playsinline")


class _MediaExtension(Extension):
    def extendMarkdown(self, md):  # noqa: N802 (the library's name)
        md.treeprocessors.register(_MediaImages(md), "crowd_media_images", 5)


def render_markdown(text: str | None) -> str:
    """Markdown feedback as sanitised HTML (no scripts, handlers, styles, frames; http(s) links only)."""
    html = markdown_lib.markdown(
        (text or "")[:MAX_MARKDOWN],
        extensions=["sane_lists", "tables", _MediaExtension()],
        output_format="html",
    )
    return nh3.clean(
        html,
        tags=TAGS,
        attributes=ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )
