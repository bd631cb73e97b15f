"""Entry point of a check's subprocess: ``python -m srs_trainer.verify.harness.run SPEC.json``.

``srs verify`` (``srs_trainer.verify.runner``) starts one of these per check, in a temporary folder
that is its working directory, and kills its process group on timeout. This module reads the
check from SPEC.json, runs it, and writes what really happened to ``outcome.json`` beside it,
so that nothing the checked code prints can be mistaken for the report. It imports only the
standard library at module level; Django is imported only by the ``django`` harness.

The outcome is a JSON object with these keys, each present only when it applies:
``missing`` (a required module that cannot be imported) and ``missing_reason``;
``check_error`` (the check itself is broken: its setup fails, its view is not defined);
``syntax_error`` (true: the code under test does not compile);
``error`` ({type, types, message, line}: the exception the code raised);
``output`` (what it printed); ``returns`` ({repr, value?}: the value of its last expression);
``response`` ({status, body, json?}: what the view answered); ``warnings`` (["Category: text"]).
"""

from __future__ import annotations

import ast
import asyncio
import contextlib
import gc
import importlib
import io
import json
import logging
import os
import signal
import sys
import threading
import time
import types
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

RUN_FILENAME = "<run>"
SETUP_FILENAME = "<setup>"


class CheckError(Exception):
    """The check itself is broken (not the code it checks)."""


class MissingRequirement(Exception):
    """A module the check requires cannot be imported: (name, why)."""


def qualified_name(cls: type) -> str:
    module = cls.__module__
    return cls.__qualname__ if module == "builtins" else f"{module}.{cls.__qualname__}"


def describe_error(error: BaseException) -> dict[str, Any]:
    line = None
    if isinstance(error, SyntaxError):
        line = error.lineno
    else:
        traceback = error.__traceback__
        while traceback is not None:
            if traceback.tb_frame.f_code.co_filename == RUN_FILENAME:
                line = traceback.tb_lineno
            traceback = traceback.tb_next
    message = error.msg if isinstance(error, SyntaxError) else str(error)
    return {
        "type": qualified_name(type(error)),
        "types": [qualified_name(cls) for cls in type(error).__mro__ if cls is not object],
        "message": message,
        "line": line,
    }


def plain_value(value: Any) -> dict[str, Any]:
    """The value's repr, and the value itself when JSON carries it unchanged."""
    described: dict[str, Any] = {"repr": repr(value)}
    with contextlib.suppress(TypeError, ValueError, RecursionError):
        if json.loads(json.dumps(value)) == value:
            described["value"] = value
    return described


def compile_run(
    source: str, *, last_expression: bool
) -> tuple[types.CodeType, types.CodeType | None]:
    """Compile the code under test; with ``last_expression``, its final expression separately."""
    tree = ast.parse(source, RUN_FILENAME)
    tail = None
    if last_expression and tree.body and isinstance(last := tree.body[-1], ast.Expr):
        tree.body.pop()
        tail = compile(ast.Expression(last.value), RUN_FILENAME, "eval")
    return compile(tree, RUN_FILENAME, "exec"), tail


def compile_setup(source: str) -> types.CodeType:
    try:
        return compile(source, SETUP_FILENAME, "exec")
    except SyntaxError as error:
        why = f"the check's setup does not compile: {error.msg} (line {error.lineno})"
        raise CheckError(why) from None


def run_setup(code: types.CodeType, namespace: dict[str, Any]) -> None:
    try:
        exec(code, namespace)
    except Exception as error:
        detail = describe_error(error)
        why = f"the check's setup raised {detail['type']}: {detail['message']}"
        raise CheckError(why) from None


# --- harnesses -------------------------------------------------------------------------------


def run_python(spec: dict[str, Any], outcome: dict[str, Any], names: dict[str, Any]) -> None:
    setup = compile_setup(spec.get("setup", ""))
    try:
        body, tail = compile_run(spec["run"], last_expression=True)
    except SyntaxError as error:
        outcome["syntax_error"] = True
        outcome["error"] = describe_error(error)
        return
    namespace: dict[str, Any] = {"__name__": "__main__", "__builtins__": __builtins__, **names}
    run_setup(setup, namespace)
    started = time.perf_counter()
    try:
        exec(body, namespace)
        value = eval(tail, namespace) if tail is not None else None
        if value is not None:  # as in the interactive interpreter, None is no result
            outcome["returns"] = plain_value(value)
    except BaseException as error:  # SystemExit and KeyboardInterrupt are outcomes too
        outcome["error"] = describe_error(error)
    outcome["elapsed"] = time.perf_counter() - started
    namespace.clear()


def configure_django(urlconf: types.ModuleType) -> None:
    import django
    from django.conf import settings

    settings.configure(
        DEBUG=False,
        SECRET_KEY="srs-verify-harness",
        ALLOWED_HOSTS=["testserver", "localhost"],
        DATABASES={
            "default": {
                "ENGINE": "django.db.backends.sqlite3",
                "NAME": str(Path.cwd() / "db.sqlite3"),
            }
        },
        INSTALLED_APPS=["srs_trainer.verify.harness.django_app.apps.VerifyAppConfig"],
        MIDDLEWARE=[],
        ROOT_URLCONF=urlconf,
        USE_TZ=True,
        LOGGING_CONFIG=None,
    )
    django.setup()
    logging.disable(logging.CRITICAL)  # the view's exception is the outcome, not log noise


def django_namespace() -> dict[str, Any]:
    """A database with one active MyModel row (id 1), and the names the quiz snippets use."""
    from asgiref.sync import async_to_sync, sync_to_async
    from django.db import connection
    from django.http import HttpRequest, HttpResponse, JsonResponse

    from .django_app.models import MyModel

    Path(connection.settings_dict["NAME"]).unlink(missing_ok=True)
    with connection.schema_editor() as editor:
        editor.create_model(MyModel)
    MyModel.objects.create(id=1, active=True)
    return {
        "__name__": "__main__",
        "__builtins__": __builtins__,
        "asyncio": asyncio,
        "time": time,
        "async_to_sync": async_to_sync,
        "sync_to_async": sync_to_async,
        "HttpRequest": HttpRequest,
        "HttpResponse": HttpResponse,
        "JsonResponse": JsonResponse,
        "MyModel": MyModel,
    }


def call_view(
    view: Callable[..., Any], urlconf: types.ModuleType, client: str, requests: int
) -> Any:
    """Request ``/`` ``requests`` times: at once (async client), or one by one (sync client).

    Returns the first response; raises the first exception a request raised.
    """
    from asgiref.sync import ThreadSensitiveContext
    from django.test import AsyncClient, Client
    from django.urls import clear_url_caches, re_path

    urlconf.urlpatterns = [re_path(r"", view)]  # type: ignore[attr-defined]
    clear_url_caches()
    if client == "sync":  # like a single-threaded WSGI server
        responses = [Client().get("/") for _ in range(requests)]
        return responses[0]

    async def one() -> Any:
        # As Django's ASGIHandler does per request: a sync view gets a thread of its own.
        async with ThreadSensitiveContext():
            return await AsyncClient().get("/")

    async def all_at_once() -> list[Any]:
        return await asyncio.gather(*(one() for _ in range(requests)), return_exceptions=True)

    answers = asyncio.run(all_at_once())
    for answer in answers:
        if isinstance(answer, BaseException):
            raise answer
    return answers[0]


def run_django(spec: dict[str, Any], outcome: dict[str, Any], names: dict[str, Any]) -> None:
    setup = compile_setup(spec.get("setup", ""))
    try:
        body, _ = compile_run(spec["run"], last_expression=False)
    except SyntaxError as error:
        outcome["syntax_error"] = True
        outcome["error"] = describe_error(error)
        return
    urlconf = types.ModuleType("srs_verify_urls")
    urlconf.urlpatterns = []  # type: ignore[attr-defined]
    configure_django(urlconf)
    namespace = {**django_namespace(), **names}
    run_setup(setup, namespace)
    view_name = spec.get("view", "my_view")
    try:
        exec(body, namespace)
        view = namespace.get(view_name)
        if not callable(view):
            raise CheckError(f"the code defines no view function named {view_name!r}")
        started = time.perf_counter()
        try:
            response = call_view(
                view, urlconf, spec.get("client", "async"), int(spec.get("requests", 1))
            )
        finally:
            outcome["elapsed"] = time.perf_counter() - started
    except CheckError:
        raise
    except BaseException as error:
        outcome["error"] = describe_error(error)
    else:
        described: dict[str, Any] = {
            "status": response.status_code,
            "body": response.content.decode("utf-8", "replace"),
        }
        if response.get("Content-Type", "").startswith("application/json"):
            with contextlib.suppress(ValueError):
                described["json"] = json.loads(described["body"])
        outcome["response"] = described
    namespace.clear()


HarnessFunction = Callable[[dict[str, Any], dict[str, Any], dict[str, Any]], None]
HARNESSES: dict[str, HarnessFunction] = {
    "python": run_python,
    "django": run_django,
}


# --- the run ---------------------------------------------------------------------------------


def import_requirements(requires: list[str]) -> dict[str, Any]:
    """The names that ``import`` of each module binds; MissingRequirement if one fails."""
    names: dict[str, Any] = {}
    for name in requires:
        try:
            importlib.import_module(name)
        except ImportError as error:
            raise MissingRequirement(name, f"{type(error).__name__}: {error}") from None
        except Exception as error:
            why = f"importing it raised {qualified_name(type(error))}: {error}"
            raise MissingRequirement(name, why) from None
        top = name.partition(".")[0]
        names[top] = sys.modules[top]
    return names


def run_check(spec: dict[str, Any]) -> dict[str, Any]:
    outcome: dict[str, Any] = {}
    try:
        names = import_requirements(list(spec.get("requires", ())))
    except MissingRequirement as missing:
        outcome["missing"], outcome["missing_reason"] = missing.args
        return outcome
    printed = io.StringIO()
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            with contextlib.redirect_stdout(printed):
                HARNESSES[spec.get("harness", "python")](spec, outcome, names)
                # "coroutine ... was never awaited" is warned when the coroutine is collected.
                gc.collect()
            outcome["warnings"] = [f"{w.category.__name__}: {w.message}" for w in caught]
    except CheckError as error:
        outcome["check_error"] = str(error)
    outcome["output"] = printed.getvalue()
    return outcome


def watch_parent(limit: float) -> None:
    """Kill this check (and its process group) if ``srs verify`` dies or overstays the limit.

    The parent kills the group on timeout; this covers the parent being killed itself, so that
    a hanging check never outlives the command that started it.
    """
    parent = os.getppid()
    deadline = time.monotonic() + limit + 5.0

    def watch() -> None:
        while os.getppid() == parent and time.monotonic() < deadline:
            time.sleep(0.2)
        if os.name == "posix" and os.getpgid(0) == os.getpid():  # leader of its own group
            os.killpg(0, signal.SIGKILL)
        os._exit(1)

    threading.Thread(target=watch, name="srs-verify-watchdog", daemon=True).start()


def main(argv: list[str]) -> int:
    spec_path = Path(argv[1])
    spec = json.loads(spec_path.read_text("utf-8"))
    watch_parent(float(spec.get("timeout", 600)))
    os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # it would switch off what we check
    outcome = run_check(spec)
    text = json.dumps(outcome, default=repr)
    (spec_path.parent / "outcome.json").write_text(text, "utf-8")
    return 0


if __name__ == "__main__":
    status = main(sys.argv)
    # Threads the checked code left running must not keep the process (and the report) waiting.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(status)
