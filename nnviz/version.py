"""nnviz's version, written into every run file (a module of its own, below everything)."""

from __future__ import annotations

__all__ = ["__version__"]

#: The version of the package; ``pyproject.toml`` says the same (a test checks it).
__version__ = "0.2.0"
