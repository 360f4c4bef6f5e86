"""Write ``examples/wine.csv``: two columns of the UCI wine data, the first two cultivars.

The rows are real measurements: scikit-learn's copy of the UCI Machine Learning Repository's
Wine data set (Forina et al., PARVUS; https://archive.ics.uci.edu/dataset/109/wine, licensed
CC BY 4.0), chemical analyses of wines of three cultivars from one region of Italy. This keeps
the 130 wines of the first two cultivars (nnviz learns two classes) and two of the thirteen
measurements, whose ranges differ a thousandfold: proline (278 to 1680) and the colour's hue
(0.69 to 1.71). Run from the repository root, with scikit-learn installed (it is not a
dependency of nnviz):

    python examples/make_wine.py
"""

from __future__ import annotations

from pathlib import Path

from sklearn.datasets import load_wine

#: The columns kept, as scikit-learn names them, and as the file's header names them.
COLUMNS = {"proline": "proline", "hue": "hue"}
#: The file's names of scikit-learn's classes 0 and 1 (the data set's cultivars 1 and 2).
CLASSES = ("cultivar 1", "cultivar 2")


def main() -> None:
    wine = load_wine()
    index = [wine.feature_names.index(name) for name in COLUMNS]
    lines = [",".join([*COLUMNS.values(), "cultivar"])]
    for row, label in zip(wine.data, wine.target, strict=True):
        if label < len(CLASSES):
            lines.append(f"{row[index[0]]:g},{row[index[1]]:g},{CLASSES[label]}")
    path = Path(__file__).with_name("wine.csv")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"{path}: {len(lines) - 1} rows")


if __name__ == "__main__":
    main()
