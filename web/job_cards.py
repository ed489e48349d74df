"""A job's share card: the image (og:image) that LinkedIn, X, Facebook, Slack and Teams show
large above a shared link's title when the page names one. 1200×630 pixels, the size those
networks ask for, with the company, the job's title and its facts, set in Noto Sans (Noto Sans
CJK when the text has characters Noto Sans lacks), so any title shows as written."""

from __future__ import annotations

import io
from functools import cache, lru_cache

import cvttf_NotoSansCJK_Regular
import fontpkg
from fontTools.ttLib import TTFont
from PIL import Image, ImageDraw, ImageFont

CARD_SIZE = (1200, 630)
_MARGIN = 80
_ACCENT = "#0f766e"  # the portal's primary colour (.streamlit/config.toml)
_INK, _MUTED, _PAPER = "#1f2430", "#5b6272", "#ffffff"
_TITLE_LINES = 3


@cache
def _font_path(text_needs_cjk: bool) -> str:
    return cvttf_NotoSansCJK_Regular.get_TTF_path() if text_needs_cjk else fontpkg.path("noto-sans")


@cache
def _latin_characters() -> frozenset[int]:
    return frozenset(TTFont(_font_path(False), lazy=True).getBestCmap())


def font_for(text: str, size: int) -> ImageFont.FreeTypeFont:
    needs_cjk = any(ord(character) not in _latin_characters() for character in set(text) - {" "})
    return ImageFont.truetype(_font_path(needs_cjk), size)


def wrapped(text: str, font: ImageFont.FreeTypeFont, width: int, most: int) -> list[str]:
    """`text` in lines no wider than `width`, broken between words (inside a word too long for
    a line, or in a script without spaces), at most `most` lines, the last ending in "…" when
    the text goes on."""
    lines: list[str] = []
    line = ""
    for word in text.split():
        candidate = f"{line} {word}".strip()
        if font.getlength(candidate) <= width:
            line = candidate
            continue
        if line:
            lines.append(line)
            line = ""
        for character in word:  # a word (or a run of CJK) wider than a line
            if font.getlength(line + character) > width:
                lines.append(line)
                line = ""
            line += character
    if line:
        lines.append(line)
    if len(lines) > most:
        lines = lines[:most]
        while lines[-1] and font.getlength(lines[-1] + "…") > width:
            lines[-1] = lines[-1][:-1]
        lines[-1] = lines[-1].rstrip() + "…"
    return lines


@lru_cache(maxsize=256)
def card_png(company: str, title: str, facts: str, site: str) -> bytes:
    """The card as PNG bytes; the same words give the same image, kept for the next preview."""
    image = Image.new("RGB", CARD_SIZE, _PAPER)
    draw = ImageDraw.Draw(image)
    width = CARD_SIZE[0] - 2 * _MARGIN
    draw.rectangle((0, 0, CARD_SIZE[0], 16), fill=_ACCENT)

    company_font = font_for(company, 40)
    draw.text((_MARGIN, 64), wrapped(company, company_font, width, 1)[0], font=company_font, fill=_ACCENT)

    title_font = font_for(title, 68)
    y = 150
    for line in wrapped(title, title_font, width, _TITLE_LINES):
        draw.text((_MARGIN, y), line, font=title_font, fill=_INK)
        y += 86
    if facts:
        facts_font = font_for(facts, 34)
        for line in wrapped(facts, facts_font, width, 2):
            draw.text((_MARGIN, y + 18), line, font=facts_font, fill=_MUTED)
            y += 46

    site_font = font_for(site, 30)
    draw.text((_MARGIN, CARD_SIZE[1] - 88), wrapped(site, site_font, width, 1)[0], font=site_font,
              fill=_MUTED)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()
