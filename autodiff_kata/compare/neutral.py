"""Learner text made inert where reports show it: in Markdown it reads as the text it is
(no HTML, no links, no fence it can close), and in a CSV cell no spreadsheet runs it as a
formula. The HTML page escapes everything with html.escape instead."""

from __future__ import annotations

import re

# Characters that start inline Markdown (emphasis, code, links, tables, strikethrough); the
# HTML ones become entities, so that no tag, comment or entity of the learner's is live.
_INLINE = re.compile(r"([\\`*_\[\]|~])")
_ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
# A spreadsheet reads a cell starting with one of these as a formula (OWASP's list).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def markdown_inline(text: str) -> str:
    """`text` on one line, shown as it is inside a Markdown paragraph or table cell."""
    text = _INLINE.sub(r"\\\1", " ".join(text.splitlines()))
    return re.sub(r"[&<>]", lambda found: _ENTITIES[found.group()], text)


def markdown_fenced(text: str) -> str:
    """`text` in a fenced code block whose fence is longer than any backtick run in it, so
    nothing inside can close the block."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}\n{text}\n{fence}"


def csv_cell(text: str) -> str:
    """`text` as a CSV cell no spreadsheet evaluates: a leading quote where it would start a
    formula (the quote shows in the cell; the text stays whole)."""
    return "'" + text if text.startswith(_FORMULA_START) else text
