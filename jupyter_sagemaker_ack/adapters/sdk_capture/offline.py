"""Make the SageMaker SDK work without AWS while a definition is built or captured.

``pipeline.definition()`` looks up (or creates) a default bucket through STS and S3, uploads local code
files, and SDK calls send telemetry to a fixed AWS address. Inside :func:`offline_sdk`:

- every SDK ``Session.default_bucket()`` returns the session's own configured bucket, or a placeholder;
- ``Session.upload_data()`` / ``upload_string_as_file_body()`` record what would have been uploaded and
  return the same S3 URI the SDK would have returned, without uploading;
- telemetry is not sent;
- S3 transfers (``upload_file``/``upload_fileobj``, which the SDK uses for generated archives such as
  ``sourcedir.tar.gz``) are recorded, with a copy of what would have been uploaded, and not sent; S3
  downloads, copies and deletes through the transfer manager are refused like any other call;
- any botocore API call raises :class:`OfflineCallBlocked` naming the service, operation and the pipeline
  step being built (unless ``allow_online``).

The transfer manager is intercepted in the calling thread because it does its work in worker threads,
which the per-context switch below would not reach.

The patches are installed on the classes while at least one ``offline_sdk`` block is open anywhere in the
process and removed when the last one closes. They act only in the thread (context) that opened the
block: a kernel's other threads (a status watcher, say) keep talking to AWS normally.
"""

from __future__ import annotations

import functools
import importlib
import os
import shutil
import sys
import tempfile
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import Any, Literal

PLACEHOLDER_BUCKET = "sagemaker-ack-placeholder-bucket"

Flavour = Literal["v2", "v3"]

# Where each SDK keeps the session class and the telemetry sender (read from the installed sources:
# v2 sagemaker/session.py, v3 sagemaker/core/helper/session_helper.py).
SESSION_CLASSES: dict[Flavour, tuple[str, str]] = {
    "v2": ("sagemaker.session", "Session"),
    "v3": ("sagemaker.core.helper.session_helper", "Session"),
}
_TELEMETRY_MODULES: dict[Flavour, str] = {
    "v2": "sagemaker.telemetry.telemetry_logging",
    "v3": "sagemaker.core.telemetry.telemetry_logging",
}
# boto3's S3 transfers go through one of these (the CRT one when awscrt is installed).
_TRANSFER_MANAGERS = (("s3transfer.manager", "TransferManager"), ("s3transfer.crt", "CRTTransferManager"))
_TRANSFER_OTHER_OPERATIONS = {"download": "GetObject", "copy": "CopyObject", "delete": "DeleteObject"}


class OfflineCallBlocked(RuntimeError):
    """The SDK tried to call AWS while building a definition offline."""

    def __init__(self, service: str, operation: str, step: str | None) -> None:
        where = f" while building step '{step}'" if step else ""
        super().__init__(f"blocked AWS call {service}.{operation}{where}")
        self.service = service
        self.operation = operation
        self.step = step


@dataclass
class Recorder:
    """What happened inside one ``offline_sdk`` block."""

    bucket: str = PLACEHOLDER_BUCKET
    allow_online: bool = False
    artifacts: dict[str, str] = field(default_factory=dict)
    inline_artifacts: dict[str, str] = field(default_factory=dict)
    blocked: list[OfflineCallBlocked] = field(default_factory=list)
    placeholder_used: bool = False
    copies_dir: Path | None = None

    def keep_copy(self, bucket: str, key: str, write: Callable[[Path], object]) -> str:
        """Keep what the SDK wanted to upload (it may delete its temporary file) and return its path."""
        if self.copies_dir is None:
            self.copies_dir = Path(tempfile.mkdtemp(prefix="sagemaker-ack-artifacts-"))
        target = self.copies_dir / bucket / key
        target.parent.mkdir(parents=True, exist_ok=True)
        write(target)
        return str(target)


_active: ContextVar[Recorder | None] = ContextVar("sagemaker_ack_offline_recorder", default=None)
_lock = threading.Lock()
# (owner object, attribute name) -> [original value, number of open blocks that need it]
_installed: dict[tuple[int, str], list[Any]] = {}
_owners: dict[int, Any] = {}


@contextmanager
def offline_sdk(
    flavours: tuple[Flavour, ...] = ("v2", "v3"),
    *,
    bucket: str = PLACEHOLDER_BUCKET,
    allow_online: bool = False,
) -> Iterator[Recorder]:
    """Run SDK code with no bucket lookup, no upload, no telemetry and (unless allowed) no AWS call.

    ``flavours`` says which SDK's session and telemetry to patch; a flavour whose modules are not
    installed is skipped. Yields the :class:`Recorder` that collects artifacts and blocked calls.
    """
    recorder = Recorder(bucket=bucket, allow_online=allow_online)
    keys = _install(_targets(flavours))
    token = _active.set(recorder)
    try:
        yield recorder
    finally:
        _active.reset(token)
        _uninstall(keys)


def find_step_name(frame: FrameType | None) -> str | None:
    """The name of the innermost pipeline step being built in ``frame`` or its callers."""
    while frame is not None:
        name = _step_name_of(frame.f_locals.get("self"))
        if name:
            return name
        frame = frame.f_back
    return None


def innermost_step_name(tb: Any) -> str | None:
    """The name of the innermost pipeline step on a traceback (the step whose building failed)."""
    found = None
    while tb is not None:
        name = _step_name_of(tb.tb_frame.f_locals.get("self"))
        if name:
            found = name
        tb = tb.tb_next
    return found


def _step_name_of(obj: Any) -> str | None:
    if obj is None or not hasattr(obj, "step_type"):
        return None
    try:
        name = obj.name
    except Exception:  # a half-built step may fail on attribute access
        return None
    return name if isinstance(name, str) else None


# --- what gets patched ---------------------------------------------------------------------------


def _targets(flavours: tuple[Flavour, ...]) -> list[tuple[Any, str, Callable[[Any], Any]]]:
    targets: list[tuple[Any, str, Callable[[Any], Any]]] = []
    for flavour in flavours:
        module_name, class_name = SESSION_CLASSES[flavour]
        session_module = _import_or_none(module_name)
        if session_module is not None:
            session_class = getattr(session_module, class_name)
            targets += [
                (session_class, "default_bucket", _patched_default_bucket),
                (session_class, "upload_data", _patched_upload_data),
                (session_class, "upload_string_as_file_body", _patched_upload_string),
            ]
        telemetry = _import_or_none(_TELEMETRY_MODULES[flavour])
        if telemetry is not None and hasattr(telemetry, "_send_telemetry_request"):
            targets.append((telemetry, "_send_telemetry_request", _patched_telemetry))
    for module_name, class_name in _TRANSFER_MANAGERS:
        module = _import_or_none(module_name)
        manager = getattr(module, class_name, None)
        if manager is None:
            continue
        targets.append((manager, "upload", _patched_transfer_upload))
        for method, operation in _TRANSFER_OTHER_OPERATIONS.items():
            if method in manager.__dict__:
                targets.append(
                    (manager, method, functools.partial(_patched_transfer_other, operation=operation))
                )
    botocore_client = _import_or_none("botocore.client")
    if botocore_client is not None:
        targets.append((botocore_client.BaseClient, "_make_api_call", _patched_api_call))
    return targets


def _import_or_none(name: str) -> Any:
    try:
        return importlib.import_module(name)
    except ImportError:
        return None


def _install(targets: list[tuple[Any, str, Callable[[Any], Any]]]) -> list[tuple[int, str]]:
    keys = []
    with _lock:
        for owner, attribute, make_wrapper in targets:
            key = (id(owner), attribute)
            if key in _installed:
                _installed[key][1] += 1
            else:
                original = owner.__dict__[attribute]
                _installed[key] = [original, 1]
                _owners[id(owner)] = owner
                setattr(owner, attribute, make_wrapper(original))
            keys.append(key)
    return keys


def _uninstall(keys: list[tuple[int, str]]) -> None:
    with _lock:
        for key in keys:
            entry = _installed[key]
            entry[1] -= 1
            if entry[1] == 0:
                setattr(_owners[key[0]], key[1], entry[0])
                del _installed[key]
        still_used = {owner_id for owner_id, _ in _installed}
        for owner_id in list(_owners):
            if owner_id not in still_used:
                del _owners[owner_id]


def _patched_default_bucket(original: Any) -> Any:
    @functools.wraps(original)
    def default_bucket(self: Any) -> Any:
        recorder = _active.get()
        if recorder is None:
            return original(self)
        own = getattr(self, "_default_bucket", None) or getattr(self, "_default_bucket_name_override", None)
        if own:
            return own
        recorder.placeholder_used = True
        return recorder.bucket

    return default_bucket


def _patched_upload_data(original: Any) -> Any:
    @functools.wraps(original)
    def upload_data(
        self: Any,
        path: str,
        bucket: str | None = None,
        key_prefix: str = "data",
        callback: Any = None,
        extra_args: Any = None,
    ) -> Any:
        recorder = _active.get()
        if recorder is None:
            return original(self, path, bucket, key_prefix, callback, extra_args)
        if not bucket:
            bucket = self.default_bucket()
            key_prefix = _s3_join(getattr(self, "default_bucket_prefix", None), key_prefix)
        uri = f"s3://{bucket}/{key_prefix}"
        if os.path.isdir(path):
            for directory, _, names in os.walk(path):
                relative = "" if directory == path else os.path.relpath(directory, start=path) + "/"
                for name in names:
                    recorder.artifacts[f"{uri}/{relative}{name}"] = os.path.abspath(
                        os.path.join(directory, name)
                    )
            return uri
        uri = f"{uri}/{os.path.basename(path)}"
        recorder.artifacts[uri] = os.path.abspath(path)
        return uri

    return upload_data


def _patched_upload_string(original: Any) -> Any:
    @functools.wraps(original)
    def upload_string_as_file_body(
        self: Any, body: str, bucket: str, key: str, kms_key: str | None = None
    ) -> Any:
        recorder = _active.get()
        if recorder is None:
            return original(self, body, bucket, key, kms_key)
        uri = f"s3://{bucket}/{key}"
        recorder.inline_artifacts[uri] = body
        return uri

    return upload_string_as_file_body


class _DoneTransfer:
    """Stands for a finished transfer: ``S3Transfer.upload_file`` waits on ``result()``."""

    def result(self) -> None:
        return None

    def done(self) -> bool:
        return True


def _patched_transfer_upload(original: Any) -> Any:
    @functools.wraps(original)
    def upload(self: Any, fileobj: Any, bucket: str, key: str, *args: Any, **kwargs: Any) -> Any:
        recorder = _active.get()
        if recorder is None:
            return original(self, fileobj, bucket, key, *args, **kwargs)
        if isinstance(fileobj, (str, os.PathLike)):
            source = Path(fileobj)
            local = recorder.keep_copy(bucket, key, lambda target: shutil.copyfile(source, target))
        else:
            body = fileobj.read()
            data = body.encode() if isinstance(body, str) else bytes(body)
            local = recorder.keep_copy(bucket, key, lambda target: target.write_bytes(data))
        recorder.artifacts[f"s3://{bucket}/{key}"] = local
        return _DoneTransfer()

    return upload


def _patched_transfer_other(original: Any, *, operation: str) -> Any:
    @functools.wraps(original)
    def transfer(self: Any, *args: Any, **kwargs: Any) -> Any:
        recorder = _active.get()
        if recorder is None or recorder.allow_online:
            return original(self, *args, **kwargs)
        blocked = OfflineCallBlocked("s3", operation, find_step_name(sys._getframe(1)))
        recorder.blocked.append(blocked)
        raise blocked

    return transfer


def _patched_telemetry(original: Any) -> Any:
    @functools.wraps(original)
    def send_telemetry(*args: Any, **kwargs: Any) -> Any:
        if _active.get() is None:
            return original(*args, **kwargs)
        return None

    return send_telemetry


def _patched_api_call(original: Any) -> Any:
    @functools.wraps(original)
    def make_api_call(self: Any, operation_name: str, api_params: Any) -> Any:
        recorder = _active.get()
        if recorder is None or recorder.allow_online:
            return original(self, operation_name, api_params)
        service = getattr(getattr(self, "meta", None), "service_model", None)
        service_name = getattr(service, "service_name", None) or type(self).__name__.lower()
        blocked = OfflineCallBlocked(service_name, operation_name, find_step_name(sys._getframe(1)))
        recorder.blocked.append(blocked)
        raise blocked

    return make_api_call


def _s3_join(*parts: str | None) -> str:
    return "/".join(part.strip("/") for part in parts if part and part.strip("/"))
