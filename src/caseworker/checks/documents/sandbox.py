"""Read a document in a child process bounded in time and memory, so the caller survives it.

The parent runs `python -m caseworker.checks.documents.sandbox`, writes a one-line JSON header
and the file's bytes to its stdin, and reads one JSON reply from its stdout: the document text,
or the error to raise. The child caps its own address space (RLIMIT_AS) before reading; the
parent kills it when the time limit passes and turns a crash into a `DocumentInvalid`.
"""

from __future__ import annotations

import base64
import json
import math
import os
import resource
import signal
import subprocess
import sys
import traceback
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

import caseworker
from caseworker.checks.documents.errors import DocumentInvalid, DocumentTooLarge
from caseworker.checks.documents.reader import IntakeLimits, read_document_inprocess
from caseworker.checks.documents.text import DocumentText
from caseworker.exceptions import ConfigurationError
from caseworker.logs import get_logger

if TYPE_CHECKING:
    from caseworker.checks.documents.inspect import Inspection

log = get_logger(__name__)

MODULE = "caseworker.checks.documents.sandbox"
# Error kinds in a reply, and the exception the parent raises for each.
ERRORS: dict[str, type[Exception]] = {
    "invalid": DocumentInvalid,
    "too_large": DocumentTooLarge,
    "configuration": ConfigurationError,
}
# glibc gives each thread its own 64 MiB malloc arena; OCR's threads would spend the address
# space budget on reservations they never touch.
CHILD_ENV = {"MALLOC_ARENA_MAX": "2"}
# The child parses untrusted files: variables whose names contain these stay with the parent.
SECRET_WORDS = ("KEY", "TOKEN", "SECRET", "PASSWORD", "CREDENTIAL", "AUTH")
# Text in an error or on stderr that shows the child ran out of its memory allowance (Python,
# C++ libraries such as onnxruntime, the dynamic loader).
OUT_OF_MEMORY_MARKERS = (
    "MemoryError",
    "bad_alloc",
    "Cannot allocate memory",
    "Failed to allocate memory",
    "failed to map segment",
    "out of memory",
)


# --- parent side ------------------------------------------------------------------------


def child_command() -> list[str]:
    """Return the command that starts a reading child."""
    return [sys.executable, "-m", MODULE]


def child_env() -> dict[str, str]:
    """Return the child's environment: ours without credentials, caseworker importable."""
    package_root = str(Path(caseworker.__file__).resolve().parents[1])
    python_path = os.pathsep.join(p for p in (package_root, os.environ.get("PYTHONPATH")) if p)
    inherited = {k: v for k, v in os.environ.items() if not looks_secret(k)}
    return {**inherited, **CHILD_ENV, "PYTHONPATH": python_path}


def looks_secret(variable: str) -> bool:
    """Whether an environment variable's name suggests a credential the child has no use for."""
    return any(word in variable.upper() for word in SECRET_WORDS)


def encode_request(
    data: bytes, name: str, limits: IntakeLimits, ocr: bool, *, task: str = "read",
    page: int = 1,
) -> bytes:
    """Encode the child's stdin: a JSON header line, then the file's bytes."""
    header = json.dumps({"name": name, "limits": asdict(limits), "ocr": ocr, "task": task,
                         "page": page})
    return header.encode() + b"\n" + data


def read_in_child(
    data: bytes, *, name: str, limits: IntakeLimits, ocr: bool
) -> tuple[DocumentText, Inspection | None]:
    """Read `data` in a fresh child process within `limits.timeout_s` and `limits.memory_mb`.

    The child also inspects the file while it has it (one child, not two, for a document a
    check both reads and inspects); the inspection is None if that part failed.
    """
    from caseworker.checks.documents.inspect import Inspection

    reply = run_child(encode_request(data, name, limits, ocr), name, limits)
    found = reply.get("inspection")
    inspection = Inspection.model_validate(found) if found is not None else None
    return DocumentText.model_validate(reply["document"]), inspection


def inspect_in_child(data: bytes, *, name: str, limits: IntakeLimits) -> Inspection:
    """Inspect `data` for tampering signals in a child process, bounded like reading."""
    from caseworker.checks.documents.inspect import Inspection

    reply = run_child(encode_request(data, name, limits, False, task="inspect"), name, limits)
    return Inspection.model_validate(reply["inspection"])


def preview_in_child(data: bytes, *, name: str, page: int, limits: IntakeLimits) -> bytes:
    """Render one page of `data` as PNG bytes in a child process, bounded like reading."""
    reply = run_child(encode_request(data, name, limits, False, task="preview",
                                     page=page), name, limits)
    return base64.b64decode(reply["png"])


def run_child(request: bytes, name: str, limits: IntakeLimits) -> dict[str, Any]:
    """Run one request in a fresh child; its reply, or the error its reply or death calls for."""
    with subprocess.Popen(
        child_command(),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=child_env(),
    ) as child:
        try:
            reply, errors = child.communicate(request, timeout=limits.timeout_s)
        except subprocess.TimeoutExpired:
            child.kill()
            child.communicate()
            raise DocumentTooLarge(
                f"{name}: reading took longer than {limits.timeout_s:g} s, the limit; stopped"
            ) from None
    return decode_reply(reply, errors.decode(errors="replace"), child.returncode, name, limits)


def decode_reply(
    reply: bytes, errors: str, returncode: int, name: str, limits: IntakeLimits
) -> dict[str, Any]:
    """Return the child's answer, or raise what its reply or death calls for."""
    if returncode == 0 and reply:
        try:
            message: dict[str, Any] = json.loads(reply)
            if "error" not in message:
                return message
            error, text = ERRORS.get(message["error"], DocumentInvalid), message["message"]
        except (ValueError, KeyError, TypeError) as exc:
            raise DocumentInvalid(f"{name}: the document reader sent a bad reply ({exc})") from None
        raise error(text)
    log.warning(
        "documents.child_failed name=%s returncode=%s stderr=%r", name, returncode, errors[-2000:]
    )
    raise death_error(returncode, errors, name, limits)


def death_error(returncode: int, errors: str, name: str, limits: IntakeLimits) -> DocumentInvalid:
    """Explain a child that died without replying: out of memory, out of time, or crashed."""
    if mentions_out_of_memory(errors):
        return DocumentTooLarge(memory_message(name, limits))
    if returncode == -signal.SIGKILL:  # not by us (that is the timeout): the kernel's OOM killer
        return DocumentTooLarge(
            f"{name}: the document reader was killed (SIGKILL), usually for lack of memory"
        )
    if returncode == -signal.SIGXCPU:
        return DocumentTooLarge(f"{name}: reading used more CPU time than the limit allows")
    if returncode < 0:
        return DocumentInvalid(
            f"{name}: the document reader crashed on this file ({signal_name(-returncode)})"
        )
    last_line = errors.strip().splitlines()[-1:] or ["no error output"]
    return DocumentInvalid(
        f"{name}: the document reader failed on this file (exit {returncode}: {last_line[0]})"
    )


def signal_name(number: int) -> str:
    """Name a signal ("SIGSEGV"), or number it if it has no name."""
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"


def mentions_out_of_memory(text: str) -> bool:
    """Whether an error text says that memory ran out."""
    return any(marker in text for marker in OUT_OF_MEMORY_MARKERS)


def memory_message(name: str, limits: IntakeLimits) -> str:
    """Say that reading the file needs more memory than the limit."""
    return f"{name}: reading needs more memory than the limit of {limits.memory_mb} MB"


# --- child side -------------------------------------------------------------------------


def limit_resources(limits: IntakeLimits) -> None:
    """Cap this process's address space and, as a backstop if the parent is gone, its CPU time."""
    memory = limits.memory_mb * 2**20
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    cpu_seconds = math.ceil(limits.timeout_s * (os.cpu_count() or 1)) + 1
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, resource.RLIM_INFINITY))


def read_request(stdin: BinaryIO) -> tuple[str, IntakeLimits, bool, str, int]:
    """Read a request's header: the file's name, the limits, whether to OCR, the task, a page."""
    header = json.loads(stdin.readline())
    task = str(header.get("task", "read"))
    return (header["name"], IntakeLimits(**header["limits"]), bool(header["ocr"]), task,
            int(header.get("page", 1)))


def answer(
    data: bytes, name: str, limits: IntakeLimits, ocr: bool, *, task: str = "read",
    page: int = 1,
) -> dict[str, Any]:
    """Do one task on one file and build the reply, or the error the parent should raise."""
    try:
        if task == "preview":
            from caseworker.checks.documents.preview import render_preview_inprocess

            png = render_preview_inprocess(data, name=name, page=page, limits=limits)
            return {"png": base64.b64encode(png).decode()}
        if task == "inspect":
            from caseworker.checks.documents.inspect import inspect_document

            found = inspect_document(data, name=name)
            return {"inspection": found.model_dump(mode="json")}
        document = read_document_inprocess(data, name=name, limits=limits, ocr=ocr)
    except DocumentTooLarge as exc:
        return {"error": "too_large", "message": str(exc)}
    except DocumentInvalid as exc:
        return {"error": "invalid", "message": str(exc)}
    except ConfigurationError as exc:
        return {"error": "configuration", "message": str(exc)}
    except MemoryError:
        return {"error": "too_large", "message": memory_message(name, limits)}
    except Exception as exc:
        traceback.print_exc()
        if mentions_out_of_memory(str(exc)):
            return {"error": "too_large", "message": memory_message(name, limits)}
        return {"error": "invalid", "message": f"{name}: could not be read ({exc!r})"}
    reply: dict[str, Any] = {"document": document.model_dump(mode="json")}
    try:
        from caseworker.checks.documents.inspect import inspect_document

        reply["inspection"] = inspect_document(data, name=name).model_dump(mode="json")
    except Exception:  # the text was read; inspection gets its own child, and its own error
        traceback.print_exc()
    return reply


def main() -> None:
    """Child entry point: read one request from stdin, write one JSON reply to stdout."""
    reply_fd = os.dup(1)
    os.dup2(2, 1)  # whatever a library prints goes to stderr, not into the reply
    name, limits, ocr, task, page = read_request(sys.stdin.buffer)
    limit_resources(limits)
    reply = answer(sys.stdin.buffer.read(), name, limits, ocr, task=task, page=page)
    with os.fdopen(reply_fd, "wb") as out:
        out.write(json.dumps(reply).encode())


if __name__ == "__main__":
    main()
