"""Helpers of the lint tests: where the corpus is, its index, and the seed article's samples."""

from __future__ import annotations

from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
CORPUS = HERE / "corpus"
SEED = "seeds/000_0b48b3f4541cd137.txt"


def corpus_cases() -> list[dict[str, object]]:
    cases = yaml.safe_load((CORPUS / "cases.yaml").read_text(encoding="utf-8"))
    assert isinstance(cases, list)
    return cases


class SeedSamples:
    """The article's pipeline JSON and its two YAML documents, cut verbatim from the article text."""

    def __init__(self, text: str) -> None:
        lines = text.split("\n")
        json_start = lines.index("{")
        json_end = next(i for i in range(json_start, len(lines)) if lines[i].startswith("With SageMaker"))
        yaml_starts = [i for i, line in enumerate(lines) if line.startswith("apiVersion:")]
        pipeline_end = next(i for i in range(yaml_starts[0], len(lines)) if lines[i].startswith("Submit the"))
        execution_end = next(
            i for i in range(yaml_starts[1], len(lines)) if lines[i].startswith("To start a run")
        )
        self.definition = "\n".join(lines[json_start:json_end]).strip() + "\n"
        self.pipeline = "\n".join(lines[yaml_starts[0] : pipeline_end]).strip() + "\n"
        self.execution = "\n".join(lines[yaml_starts[1] : execution_end]).strip() + "\n"
