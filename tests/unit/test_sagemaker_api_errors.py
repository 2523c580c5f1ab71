"""Every SageMaker error a user meets is one problem and a non-empty fix (the CLI prints both lines)."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from jupyter_sagemaker_ack.adapters.sagemaker_api import _sagemaker_call
from jupyter_sagemaker_ack.core.errors import UserError

CODES = ["InternalFailure", "ConflictException", "ValidationException", "AccessDeniedException"]


@pytest.mark.parametrize("code", CODES)
def test_a_sagemaker_error_has_a_fix(code: str) -> None:
    error = ClientError({"Error": {"Code": code, "Message": "it went wrong"}}, "DescribePipelineExecution")
    with pytest.raises(UserError) as caught, _sagemaker_call("describe", "run r"):
        raise error
    assert "it went wrong" in caught.value.problem
    assert caught.value.fix.strip(), caught.value
