"""Scene classes that tell a story with the building blocks; ``scenes/*.py`` pick one each."""

from __future__ import annotations
