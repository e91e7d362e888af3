"""User text quoted back: a column name, a link value or a class, as one line of plain text.

Text from a file or a link can hold anything: line breaks, control characters, 50,000 'Z's.
Wherever it is echoed (a message, a comment in generated code, a page), it goes through here
first. Standard library only.
"""

from __future__ import annotations


def one_line(text: str) -> str:
    """``text`` with every non-printable character (``\\n``, ``\\r``, ``\\f``, ``\\u2028``, other
    controls) as a space: it cannot end a comment, start a heading or split a message."""
    return "".join(ch if ch.isprintable() else " " for ch in text)


def clip(text: str, limit: int = 40) -> str:
    """``text`` on one line, cut to ``limit`` characters with "…"."""
    line = one_line(text)
    return line if len(line) <= limit else line[: limit - 1] + "…"


def quote(value: object, limit: int = 40) -> str:
    """A value quoted back in a message: its ``repr`` on one line, cut to ``limit`` characters
    with "…" and its closing quote kept (a 5,000-digit rate must not fill the page)."""
    text = one_line(repr(value))
    return text if len(text) <= limit else text[: limit - 2] + "…" + text[-1]
