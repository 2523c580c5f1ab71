"""Abalone preprocessing, run in a SageMaker processing container (the example pipeline ships it as code).

Reads the raw abalone CSV, one-hot encodes the sex column and writes libsvm train/validation/test splits
(70/15/15) for the built-in XGBoost algorithm. Standard library only, so any Python image can run it.
"""

from __future__ import annotations

import csv
import random
from pathlib import Path

BASE = Path("/opt/ml/processing")
SEXES = ("M", "F", "I")


def to_libsvm(row: list[str]) -> str:
    sex, *measures, rings = row
    features = [1.0 if sex == code else 0.0 for code in SEXES] + [float(value) for value in measures]
    cells = " ".join(f"{index}:{value}" for index, value in enumerate(features, start=1) if value)
    return f"{int(rings) - 1} {cells}\n"


def main() -> None:
    rows = []
    for path in sorted((BASE / "input").glob("*.csv")):
        with path.open(newline="") as handle:
            rows += [row for row in csv.reader(handle) if len(row) == 9]
    random.Random(42).shuffle(rows)
    train_end, validation_end = int(0.7 * len(rows)), int(0.85 * len(rows))
    splits = {
        "train": rows[:train_end],
        "validation": rows[train_end:validation_end],
        "test": rows[validation_end:],
    }
    for split, split_rows in splits.items():
        out = BASE / split
        out.mkdir(parents=True, exist_ok=True)
        (out / f"{split}.libsvm").write_text("".join(to_libsvm(row) for row in split_rows))


if __name__ == "__main__":
    main()
