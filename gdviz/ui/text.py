"""User text made inert for Streamlit's markdown: every page's and every message's one helper."""

from __future__ import annotations

import re

from gdviz.core.echo import one_line

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:&=^\"'])")
_AUTOLINK = re.compile(r"(?i)(:/|www\.|\w@)")


def inert(text: object) -> str:
    """Text from a user, a link or a file made inert inside Streamlit markdown.

    Every ASCII punctuation mark is backslash-escaped (CommonMark shows an escaped mark as
    itself), so ``**bold**``, ``[a](http://…)``, ``![img](…)``, a bare ``http://`` address,
    ``$maths$``, ``:red[colour]`` directives, e-mail addresses and HTML all read as typed.
    Control characters (newlines included) become spaces, so the text cannot start a heading
    or a list.
    """
    line = one_line(str(text))
    # GFM turns bare addresses into links after escapes are resolved ("http\\://x" still
    # links): an invisible word joiner inside "://", "www." and before "@" stops it.
    line = _AUTOLINK.sub(lambda m: m[0][:-1] + "\u2060" + m[0][-1], line)
    return _MARKDOWN_SPECIAL.sub(r"\\\1", line)
