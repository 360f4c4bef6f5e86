"""Text for the terminal: what a file says, shown as one line of visible characters."""

from __future__ import annotations

__all__ = ["brief", "printable", "shown"]


def printable(text: object) -> str:
    """Return ``str(text)`` with every character that is not printable escaped as Python's
    ``repr`` escapes it (``\\x1b``, ``\\n``, ``\\t``, ``\\x9b``, ``\\u202e``).

    Text read from a file (a run file's names, a CSV file's name, an error quoting either)
    reaches a terminal as one line of visible characters: no escape sequence that clears the
    screen or moves the cursor, no line break that forges a line of its own. Printable
    characters stay as they are, the space and letters such as ``x₁`` or ``é`` too; a
    backslash is not doubled, so escaping twice changes nothing.
    """
    text = str(text)
    if text.isprintable():
        return text
    return "".join(char if char.isprintable() else repr(char)[1:-1] for char in text)


def shown(value: object) -> str:
    """``repr(value)``, cut to one short line (values may come from a hostile run file)."""
    try:
        text = repr(value)
    except RecursionError:
        text = f"<deeply nested {type(value).__name__}>"
    return text if len(text) <= 40 else f"{text[:37]}..."


def brief(value: object, limit: int = 60) -> str:
    """``value`` as one short printable line: whitespace runs become one space, other
    characters that are not printable their escapes (messages of numpy or zipfile about a
    damaged file quote its bytes)."""
    text = printable(" ".join(str(value).split()))
    return text if len(text) <= limit else f"{text[: limit - 3]}..."
