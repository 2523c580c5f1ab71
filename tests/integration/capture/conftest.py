"""Fixtures for the capture tests (see aws_offline.py)."""

from __future__ import annotations

from .aws_offline import closed_aws

__all__ = ["closed_aws"]
