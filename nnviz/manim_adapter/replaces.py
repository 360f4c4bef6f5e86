"""How the adapter marks what it replaces of Manim, so that a test can check each assumption.

Every method of the adapter that overrides one of Manim's is marked with :func:`replaces`:
the Manim method it replaces, why, and, where its body was copied from Manim's and altered,
the digest of the Manim source it was copied from (:func:`source_digest`).
``tests/test_manim_adapter.py`` finds every override, checks that it is marked, that its
parameters are those of the installed Manim's method, and that a copied body's source is
still the one it was copied from: a Manim upgrade that changes any of them fails
``make test``, not a video.
"""

from __future__ import annotations

import ast
import hashlib
import inspect
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

__all__ = ["Replacement", "replacement_of", "replaces", "source_digest"]

FunctionT = TypeVar("FunctionT", bound=Callable[..., Any])


@dataclass(frozen=True)
class Replacement:
    """What an override of the adapter replaces of Manim.

    Attributes
    ----------
    manim_method
        The Manim method (or function) it replaces.
    because
        Why.
    copied_digest
        For a body copied from ``manim_method``'s and altered, :func:`source_digest` of
        ``manim_method`` when it was copied; ``None`` for an override that calls Manim's
        method or replaces a hook meant for overriding.
    """

    manim_method: Callable[..., Any]
    because: str
    copied_digest: str | None = None


def replaces(
    manim_method: Callable[..., Any], *, because: str, copied_digest: str | None = None
) -> Callable[[FunctionT], FunctionT]:
    """Mark the decorated function as the adapter's replacement of ``manim_method``."""

    def mark(function: FunctionT) -> FunctionT:
        function.__replaces__ = Replacement(manim_method, because, copied_digest)  # type: ignore[attr-defined]
        return function

    return mark


def replacement_of(function: Callable[..., Any]) -> Replacement | None:
    """Return what ``function`` replaces (see :func:`replaces`), or ``None``."""
    found = getattr(function, "__replaces__", None)
    return found if isinstance(found, Replacement) else None


def source_digest(function: Callable[..., Any]) -> str:
    """Return a digest of ``function``'s source that only its code changes: its syntax tree
    without the docstring (comments, blank lines and formatting do not count)."""
    tree = ast.parse(textwrap.dedent(inspect.getsource(function)))
    definition = tree.body[0]
    assert isinstance(definition, ast.FunctionDef | ast.AsyncFunctionDef)
    body = definition.body
    first = body[0] if body else None
    if isinstance(first, ast.Expr) and isinstance(getattr(first.value, "value", None), str):
        definition.body = body[1:]  # the docstring
    return hashlib.sha256(ast.dump(definition).encode()).hexdigest()[:16]
