"""The network's formula and its numbers as text: each weight in five cells, a matrix in
brackets, the formula of any depth and output in LaTeX (plain python, no drawing)."""

from __future__ import annotations

import numpy as np

from nnviz.activations import activation as lookup

__all__ = ["SOFTMAX_TEX", "format_number", "general_formula", "matrix_rows"]


def format_number(value: float) -> str:
    """Return a weight as shown on screen: two decimals, five cells for ``|v| < 10``, a true
    minus sign, and no ``−0.00``."""
    text = f"{value:5.2f}"
    if float(text) == 0.0:
        text = text.replace("-", " ")
    return text.replace("-", "−")


def matrix_rows(values: np.ndarray) -> list[str]:
    """Return the lines of a matrix as shown on screen, every number by :func:`format_number`:
    ``[ a  b ]`` for one row, ``⎡ a  b ⎤`` … ``⎣ c  d ⎦`` (tall brackets) for several."""
    matrix = np.atleast_2d(np.asarray(values, dtype=np.float64))
    n = len(matrix)
    tall = [("⎡", "⎤"), *[("⎢", "⎥")] * (n - 2), ("⎣", "⎦")]
    brackets = [("[", "]")] if n == 1 else tall
    return [
        f"{left}{' '.join(format_number(v) for v in row)} {right}"
        for (left, right), row in zip(brackets, matrix, strict=True)
    ]


#: A softmax output's probability of class ``c``, as the formulas show it.
SOFTMAX_TEX = r"p_c = e^{z_c} \big/ {\textstyle\sum_j} e^{z_j}"


def general_formula(activations: tuple[str, ...], output: str = "sigmoid") -> tuple[str, str]:
    """Return the LaTeX of a network's formula and of its activations, e.g.
    ``\\hat{y} = \\sigma(W_3\\, a_2(W_2\\, a_1(W_1 x + b_1) + b_2) + b_3)`` and
    ``a_1 = a_2 = \\text{ReLU},\\ a_3 = …`` (equal neighbours share one name).

    For a softmax ``output`` the formula is each class's probability,
    ``p_c = e^{z_c} / Σ_j e^{z_j}`` of the outputs ``z = W_3\\, a_2(…) + b_3``."""
    inner = "W_1 x + b_1"
    for k in range(1, len(activations)):
        inner = rf"W_{{{k + 1}}}\, a_{{{k}}}({inner}) + b_{{{k + 1}}}"
    last = len(activations)
    end = last + 1
    if output == "softmax":
        formula = rf"{SOFTMAX_TEX},\ z = W_{{{end}}}\, a_{{{last}}}({inner}) + b_{{{end}}},"
    else:
        formula = rf"\hat{{y}} = \sigma\big(W_{{{end}}}\, a_{{{last}}}({inner}) + b_{{{end}}}\big),"
    groups: list[list[int]] = []
    for k, name in enumerate(activations):
        if groups and activations[groups[-1][0]] == name:
            groups[-1].append(k)
        else:
            groups.append([k])
    named = [
        " = ".join(f"a_{{{k + 1}}}" for k in group)
        + rf" = \text{{{lookup(activations[group[0]]).display}}}"
        for group in groups
    ]
    return formula, r"\quad " + r",\ ".join(named)
