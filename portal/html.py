"""Markdown written in the portal (job descriptions, the company's text) as HTML for pages the
portal serves itself and for feeds: raw HTML is shown as text, links go only to web and mail
addresses, and images are not loaded (each would be a tracking pixel on every visitor); their
description stands in their place."""

from __future__ import annotations

import re
from html import escape

from markdown_it import MarkdownIt

_SAFE_SCHEMES = ("http://", "https://", "mailto:")


class _SafeMarkdown(MarkdownIt):
    def validateLink(self, url: str) -> bool:  # noqa: N802 (markdown-it's name)
        return url.strip().lower().startswith(_SAFE_SCHEMES)


def _image_as_text(_renderer, tokens, idx, _options, _env) -> str:
    description = tokens[idx].content or "image"
    return f"<span class=\"image-left-out\">[{escape(description)}]</span>"


def _link_open(renderer, tokens, idx, options, env) -> str:
    # Written by staff, read by anyone: search engines should not count the links as ours, and
    # the page opened should not reach back to this one.
    tokens[idx].attrSet("rel", "nofollow noopener noreferrer")
    return renderer.renderToken(tokens, idx, options, env)


_markdown = _SafeMarkdown("commonmark", {"html": False})
_markdown.add_render_rule("image", _image_as_text)
_markdown.add_render_rule("link_open", _link_open)


def markdown_html(text: str | None) -> str:
    """The Markdown as safe HTML (see the module's note)."""
    return _markdown.render(text or "")


def summary(text: str | None, limit: int = 200) -> str:
    """The Markdown's words as plain text on one line, cut at a word: for a page's description
    in search results and link previews."""
    words: list[str] = []
    for block in _markdown.parse(text or ""):
        for token in block.children or ():
            if token.type in ("text", "code_inline"):
                words.append(token.content)
            elif token.type in ("softbreak", "hardbreak"):
                words.append(" ")
        if block.type.endswith("_close") and block.block:
            words.append(" ")
    line = " ".join("".join(words).split())
    return line if len(line) <= limit else line[:limit].rsplit(" ", 1)[0] + " …"


# Markdown images (inline and by reference) and links to anything but a web or mail address.
_IMAGE = re.compile(r"!\[([^\]]*)\](?:\([^)]*\)|\[[^\]]*\])")
_SAFE_SCHEME = "|".join(map(re.escape, _SAFE_SCHEMES))
_ODD_LINK = re.compile(rf"\[([^\]]*)\]\((?!\s*<?(?:{_SAFE_SCHEME}))[^)]*\)", re.IGNORECASE)


def staff_markdown(markdown: str | None) -> str:
    """Markdown staff wrote (a job description), as every reader may see it: an image would load
    from anywhere (a tracking pixel on every visitor), so its description stands in its place;
    a link to anything but a web or mail address (data:, javascript:) keeps only its text.
    The same rules as markdown_html, for Markdown that Streamlit renders."""
    text = _IMAGE.sub(lambda m: f"\\[{m.group(1) or 'image'}\\]", markdown or "")
    return _ODD_LINK.sub(lambda m: m.group(1), text)
