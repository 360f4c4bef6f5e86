"""Write ``examples/penguins.csv``: a SYNTHETIC sample shaped like penguin bill measurements.

The numbers are not measurements. Each species is a seeded two-dimensional Gaussian whose
means, spreads and within-species correlation are round values of the size reported for
adult Adélie and Gentoo penguins (bill length about 39 mm and 47.5 mm, bill depth about 18.3 mm
and 15 mm), rounded to 0.1 mm as callipers read. Run from the repository root:

    python examples/make_penguins.py
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

#: species: (rows, mean length, mean depth, sd length, sd depth, correlation), in mm.
SPECIES = {
    "Adelie": (150, 38.8, 18.3, 2.6, 1.2, 0.4),
    "Gentoo": (120, 47.5, 15.0, 3.0, 1.0, 0.6),
}


def main() -> None:
    rng = np.random.default_rng(2014)
    rows = []
    for name, (count, mx, my, sx, sy, rho) in SPECIES.items():
        covariance = [[sx * sx, rho * sx * sy], [rho * sx * sy, sy * sy]]
        for length, depth in rng.multivariate_normal([mx, my], covariance, size=count):
            rows.append(f"{length:.1f},{depth:.1f},{name}")
    order = rng.permutation(len(rows))
    lines = ["bill length (mm),bill depth (mm),species", *(rows[k] for k in order)]
    path = Path(__file__).with_name("penguins.csv")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"{path}: {len(rows)} rows")


if __name__ == "__main__":
    main()
