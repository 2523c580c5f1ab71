"""Fixtures for the SDK v3 tests: the capture tests' closed AWS endpoints."""

from __future__ import annotations

from tests.integration.capture.aws_offline import closed_aws

__all__ = ["closed_aws"]
