"""Write ``examples/iris.csv``: the petal length and width of Fisher's 150 irises, and their
species (three classes of 50).

The data is R. A. Fisher's (1936), as the UCI Machine Learning Repository publishes it under
CC BY 4.0 (https://doi.org/10.24432/C56C76), taken from scikit-learn's copy
(``sklearn.datasets.load_iris``), which follows Fisher's paper for samples 35 and 38 where
UCI's file differs. scikit-learn is needed only to run this script; nnviz does not depend
on it. Run from the repository root:

    python examples/make_iris.py
"""

from __future__ import annotations

import csv
from pathlib import Path


def main() -> None:
    from sklearn.datasets import load_iris

    iris = load_iris()
    columns = [iris.feature_names.index(name) for name in ("petal length (cm)", "petal width (cm)")]
    path = Path(__file__).with_name("iris.csv")
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["petal length (cm)", "petal width (cm)", "species"])
        for row, target in zip(iris.data, iris.target, strict=True):
            writer.writerow([f"{row[columns[0]]:g}", f"{row[columns[1]]:g}",
                             iris.target_names[target]])  # fmt: skip
    print(f"{path}: {len(iris.target)} rows")


if __name__ == "__main__":
    main()
