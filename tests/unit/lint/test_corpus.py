"""Every bad input of the corpus produces its finding, at its place, and no unrelated finding."""

from __future__ import annotations

import pytest

from jupyter_sagemaker_ack.core.lint import CODES, lint_text

from ._helpers import CORPUS, corpus_cases

CASES = corpus_cases()


def test_corpus_is_large_and_covers_every_rule_family() -> None:
    assert len(CASES) >= 60
    families = {str(case["code"])[:4] for case in CASES}
    assert families >= {"SMA1", "SMA2", "SMA3", "SMA4", "SMA5", "SMA6"}
    assert all(case["code"] in CODES for case in CASES)


@pytest.mark.parametrize("case", CASES, ids=[str(c["file"]) for c in CASES])
def test_bad_input_is_reported_where_it_is(case: dict[str, object]) -> None:
    name = str(case["file"])
    findings = lint_text((CORPUS / name).read_text(encoding="utf-8"), name)
    located = [(f.code, f.line, f.column, f.step, f.parameter) for f in findings if f.code == case["code"]]
    expected = (case["code"], case.get("line"), case.get("column"), case.get("step"), case.get("parameter"))
    assert expected in located, f"{name}: got {[(f.code, f.line, f.column, f.message) for f in findings]}"
    allowed = {case["code"], *case.get("also", [])}
    unexpected = [(f.code, f.message) for f in findings if f.code not in allowed]
    assert not unexpected, f"{name}: unexpected findings {unexpected}"
    assert all(f.file == name and f.hint for f in findings)
