"""Numbers as the pictures show them (in a fixed number of characters, for any magnitude), and
text from files as a terminal may show it."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from nnviz.config import RunConfig

__all__ = [
    "OPTIMIZER_NAMES",
    "count_word",
    "fit_number",
    "format_rate",
    "range_decimals",
    "rates_words",
    "short_name",
    "significant",
    "training_details",
    "training_label",
]

#: The optimizers' names on screen.
OPTIMIZER_NAMES: dict[str, str] = {
    "adam": "Adam",
    "sgd": "SGD",
    "momentum": "SGD + momentum 0.9",
    "rmsprop": "RMSprop",
}

#: Small counts in words, as headings and captions say them.
_COUNT_WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")


def count_word(count: int) -> str:
    """Return ``count`` in words from zero to nine (``three``), in digits above."""
    return _COUNT_WORDS[count] if 0 <= count < len(_COUNT_WORDS) else str(count)


def rates_words(count: int) -> str:
    """Return ``three learning rates`` (``learning rate`` for one), as headings say it."""
    return "learning rate" if count == 1 else f"{count_word(count)} learning rates"


def fit_number(value: float, width: int, decimals: int = 1) -> str:
    """Return ``value`` in at most ``width`` characters, as exactly as that allows.

    Fixed point with ``decimals`` decimals when it fits, else with fewer decimals, else
    scientific notation with a compact exponent and as many digits as fit (``-1.4e3``,
    ``1e200``). ``-0.0`` shows as ``0.0``. Any finite float fits in six characters; non-finite
    values show as ``inf``, ``-inf`` or ``nan``.

    Parameters
    ----------
    value
        The number.
    width
        The most characters the text may have (at least 6 for every finite float).
    decimals
        Decimals of the fixed-point form when it fits.
    """
    if not math.isfinite(value):
        return "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf")
    for places in range(decimals, -1, -1):
        text = f"{value:.{places}f}"
        if float(text) == 0:
            text = text.lstrip("-")
        if len(text) <= width:
            return text
    for digits in range(width, -1, -1):
        mantissa, exponent = f"{value:.{digits}e}".split("e")
        text = f"{mantissa}e{int(exponent)}"
        if len(text) <= width:
            return text
    return text


def range_decimals(low: float, high: float) -> int:
    """Return the decimals a range's limits are written with: one, or as many more as make
    its extent at least 5 units of the last decimal, so that the two limits of a narrow range
    (0.012 to 0.034, not 0.0 to 0.0) still tell its scale."""
    extent = abs(high - low)
    if not math.isfinite(extent) or extent <= 0:
        return 1
    return max(1, math.ceil(math.log10(5.0 / extent)))


def format_rate(value: float) -> str:
    """Return a learning rate (or any positive setting) in three significant digits with a
    compact exponent: ``0.01``, ``0.000123``, ``1e6``, ``2.5e-7``."""
    text = f"{value:.3g}"
    if "e" in text:
        mantissa, exponent = text.split("e")
        text = f"{mantissa}e{int(exponent)}"
    return text


def significant(value: float, digits: int = 3) -> str:
    """Return ``value`` in ``digits`` significant digits, in fixed point from 0.001 to below
    10⁵ (``2.16``, ``0.0145``) and in scientific notation with a compact exponent outside
    (``1.92e-4``, ``3.37e-8``, ``1.2e5``), so that a number near zero keeps its digits in few
    characters; ``0`` for zero."""
    if not math.isfinite(value):
        return "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf")
    if value == 0:
        return "0"
    magnitude = math.floor(math.log10(abs(value)))
    if -3 <= magnitude < 5:
        return f"{value:.{max(digits - 1 - magnitude, 0)}f}"
    mantissa, exponent = f"{value:.{digits - 1}e}".split("e")
    return f"{mantissa}e{int(exponent)}"


def training_label(config: RunConfig) -> str:
    """Return how a run was trained, as headings show it.

    ``learning rate 0.01`` for the post's training (Adam, no penalty); otherwise the optimizer
    and any penalty too, ``SGD + momentum 0.9 · learning rate 0.05 · weight decay 0.0001``; and
    ``your own training loop`` for a run recorded from one (optimizer ``external``).
    """
    if config.optimizer == "external":
        return "your own training loop"
    details = training_details(config)
    rate = f"learning rate {format_rate(config.lr)}"
    if not details:
        return rate
    optimizer, *penalties = details.split(" · ")
    return " · ".join([optimizer, rate, *penalties])


def training_details(config: RunConfig) -> str:
    """Return what of a run's training differs from the post's besides the learning rate:
    ``""`` for Adam without penalty, else the optimizer and any penalty,
    ``SGD + momentum 0.9 · weight decay 0.0001`` (``""`` for a run of one's own loop)."""
    if config.optimizer == "external" or (
        config.optimizer == "adam" and not config.weight_decay and not config.l1
    ):
        return ""
    parts = [OPTIMIZER_NAMES[config.optimizer]]
    if config.weight_decay:
        parts.append(f"weight decay {format_rate(config.weight_decay)}")
    if config.l1:
        parts.append(f"L1 {format_rate(config.l1)}")
    return " · ".join(parts)


def short_name(name: str, limit: int) -> str:
    """Return ``name`` in at most ``limit`` characters: whole when it fits, else its first
    ``limit - 1`` characters (trailing spaces dropped) and an ellipsis, ``Iris-versi…``.

    Raises
    ------
    ValueError
        For a ``limit`` below 2 (no room for a letter and the ellipsis).
    """
    if limit < 2:
        raise ValueError(f"limit must be at least 2, got {limit}")
    if len(name) <= limit:
        return name
    return name[: limit - 1].rstrip() + "…"
