"""Abalone model evaluation, run in the XGBoost container: writes the mean squared error on the test split.

The pipeline's ConditionStep reads ``regression_metrics.mse.value`` from the evaluation.json written here
(a PropertyFile) and registers the model only when it is at most the MseThreshold parameter.
"""

from __future__ import annotations

import json
import tarfile
from pathlib import Path
from typing import Any

BASE = Path("/opt/ml/processing")


def main() -> None:
    import xgboost  # available in the XGBoost container only

    with tarfile.open(BASE / "model" / "model.tar.gz") as archive:
        archive.extractall(path=".", filter="data")
    booster: Any = xgboost.Booster()
    booster.load_model("xgboost-model")
    test = xgboost.DMatrix(f"{BASE / 'test' / 'test.libsvm'}?format=libsvm")
    predictions = booster.predict(test)
    labels = test.get_label()
    mse = float(sum((p - y) ** 2 for p, y in zip(predictions, labels, strict=True)) / max(len(labels), 1))
    report = {"regression_metrics": {"mse": {"value": mse, "standard_deviation": "NaN"}}}
    out = BASE / "evaluation"
    out.mkdir(parents=True, exist_ok=True)
    (out / "evaluation.json").write_text(json.dumps(report))


if __name__ == "__main__":
    main()
