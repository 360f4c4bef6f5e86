"""Manim building blocks of nnviz; each updates itself from a shared epoch tracker."""

from __future__ import annotations
