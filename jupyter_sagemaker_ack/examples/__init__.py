"""Example pipelines built with the SageMaker SDK, used by the quickstart, notebooks and tests."""
