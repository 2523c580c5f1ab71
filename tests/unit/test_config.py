"""One precedence order: argument > %config (traitlets) > environment > default."""

from __future__ import annotations

from traitlets.config import Config

from jupyter_sagemaker_ack.config import SageMakerAck, resolve_settings


def test_precedence_and_sources():
    env = {
        "SAGEMAKER_ACK_BUCKET": "env-bucket",
        "AWS_DEFAULT_REGION": "eu-west-1",
        "SAGEMAKER_ACK_KMS_KEY": "k",
    }
    cfg = Config()
    cfg.SageMakerAck.bucket = "config-bucket"
    traits = SageMakerAck(config=cfg).configured()
    settings = resolve_settings({"namespace": "ml", "bucket": None}, traits, env)
    assert settings.bucket == "config-bucket"
    assert settings.sources["bucket"] == "%config SageMakerAck"
    assert settings.region == "eu-west-1"
    assert settings.sources["region"] == "environment $AWS_DEFAULT_REGION"
    assert settings.namespace == "ml"
    assert settings.sources["namespace"] == "argument"
    assert settings.prefix == "sagemaker-ack"
    described = {name: source for name, _, source in settings.describe()}
    assert described["prefix"] == "default"
    assert settings.with_values(bucket="arg").bucket == "arg"


def test_endpoint_specific_variable_wins_over_generic():
    env = {"AWS_ENDPOINT_URL": "http://all", "AWS_ENDPOINT_URL_S3": "http://s3"}
    settings = resolve_settings(env=env)
    assert settings.s3_endpoint == "http://s3"
    assert settings.kms_endpoint == "http://all"
