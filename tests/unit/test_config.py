"""One precedence order: argument > %config (traitlets) > environment > default; every setting a trait."""

from __future__ import annotations

import pytest
from traitlets.config import Config

from jupyter_sagemaker_ack.config import ENVIRONMENT, SETTING_NAMES, SageMakerAck, Settings, resolve_settings
from jupyter_sagemaker_ack.core.errors import UserError


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


# -- every setting is a trait, and each path that sets one reaches the Settings ---------------------------

VALUES = {
    "bucket": "b-1",
    "prefix": "p/q",
    "kms_key": "alias/k",
    "trusted_buckets": "shared-models,audit",
    "region": "eu-west-2",
    "profile": "ml-dev",
    "namespace": "ml",
    "kube_context": "kind-ml",
    "kubeconfig": "/tmp/kc",
    "role_arn": "arn:aws:iam::123456789012:role/r",
    "policy": "policies/base.yaml,policies/team.yaml",
    "sign_key": "alias/publisher",
    "poll_policy": "sandbox",
    "s3_endpoint": "http://127.0.0.1:9001",
    "kms_endpoint": "https://kms.example.test",
    "sts_endpoint": "http://localhost:9003/",
    "sagemaker_endpoint": "https://[::1]:9004",
}


def test_every_setting_is_a_trait_and_every_trait_a_setting():
    assert set(SageMakerAck().trait_names(config=True)) == set(SETTING_NAMES) == set(VALUES)


@pytest.mark.parametrize("name", SETTING_NAMES)
def test_each_setting_through_traitlets_config(name):
    cfg = Config()
    setattr(cfg.SageMakerAck, name, VALUES[name])
    settings = resolve_settings(None, SageMakerAck(config=cfg).configured(), {})
    assert getattr(settings, name) == VALUES[name]
    assert settings.sources[name] == "%config SageMakerAck"


@pytest.mark.parametrize("name", SETTING_NAMES)
def test_each_setting_through_percent_config_in_ipython(name, monkeypatch):
    from IPython.testing.globalipapp import get_ipython, start_ipython

    from jupyter_sagemaker_ack.faces.kernel.settings import current_settings

    for variables in ENVIRONMENT.values():
        for var in variables:
            monkeypatch.delenv(var, raising=False)
    shell = start_ipython() or get_ipython()
    shell.run_line_magic("load_ext", "jupyter_sagemaker_ack")
    try:
        shell.run_line_magic("config", f"SageMakerAck.{name} = {VALUES[name]!r}")
        settings = current_settings(shell=shell)
        assert getattr(settings, name) == VALUES[name]
        assert settings.sources[name] == "%config SageMakerAck"
    finally:
        shell.run_line_magic("unload_ext", "jupyter_sagemaker_ack")
        shell.config.pop("SageMakerAck", None)


@pytest.mark.parametrize("name", SETTING_NAMES)
def test_each_setting_through_the_server_extension_config(name):
    from jupyter_sagemaker_ack.faces.server.app import SageMakerAckServerApp

    cfg = Config()
    setattr(cfg.SageMakerAck, name, VALUES[name])
    app = SageMakerAckServerApp(config=cfg)
    assert getattr(app.ack_settings(), name) == VALUES[name]
    assert SageMakerAck in app.classes  # so `jupyter server --help-all` lists the traits


def test_profile_comes_from_aws_profile():
    settings = resolve_settings(env={"AWS_PROFILE": "dev"})
    assert (settings.profile, settings.sources["profile"]) == ("dev", "environment $AWS_PROFILE")
    assert resolve_settings({"profile": "x"}, None, {"AWS_PROFILE": "dev"}).profile == "x"


@pytest.mark.parametrize(
    ("layer", "name", "value", "said"),
    [
        ("traits", "s3_endpoint", "s3.example.com", "%config SageMakerAck.s3_endpoint"),
        ("traits", "sagemaker_endpoint", "ftp://host", "%config SageMakerAck.sagemaker_endpoint"),
        ("env", "kms_endpoint", "http://", "environment $AWS_ENDPOINT_URL_KMS"),
        ("env", "sts_endpoint", "http://host:99999", "environment $AWS_ENDPOINT_URL_STS"),
        ("explicit", "region", "Europe", "argument"),
        ("traits", "bucket", "b\n", "%config SageMakerAck.bucket"),
        ("explicit", "profile", "a b", "argument"),
    ],
)
def test_a_bad_value_is_refused_naming_where_it_was_set(layer, name, value, said):
    env_var = {"kms_endpoint": "AWS_ENDPOINT_URL_KMS", "sts_endpoint": "AWS_ENDPOINT_URL_STS"}.get(name, "")
    with pytest.raises(UserError) as caught:
        resolve_settings(
            {name: value} if layer == "explicit" else None,
            {name: value} if layer == "traits" else None,
            {env_var: value} if layer == "env" else {},
        )
    assert said in caught.value.problem
    assert caught.value.fix


def test_with_values_checks_too():
    with pytest.raises(UserError):
        Settings().with_values(s3_endpoint="nope")


def test_the_settings_module_is_pure_and_config_re_exports_it():
    import subprocess
    import sys

    probe = "import sys, jupyter_sagemaker_ack.settings; print('traitlets' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"
    from jupyter_sagemaker_ack import config, settings

    assert config.Settings is settings.Settings
    assert config.resolve_settings is settings.resolve_settings


def test_trusted_buckets_setting_widens_verification_to_exactly_the_named_buckets():
    from jupyter_sagemaker_ack.services.verify import trusted_buckets

    settings = resolve_settings(
        env={"SAGEMAKER_ACK_BUCKET": "handoff", "SAGEMAKER_ACK_TRUSTED_BUCKETS": "a, b,"}
    )
    assert settings.sources["trusted_buckets"] == "environment $SAGEMAKER_ACK_TRUSTED_BUCKETS"
    assert trusted_buckets(settings) == {"handoff", "a", "b"}
    assert trusted_buckets(settings, ["c"]) == {"handoff", "a", "b", "c"}
    with pytest.raises(UserError, match="bucket name"):
        trusted_buckets(resolve_settings(env={"SAGEMAKER_ACK_TRUSTED_BUCKETS": "s3://x/key"}))
