"""``docs/openapi.yaml`` is true to the routes, and no request it allows makes the server fail.

The fuzzing runs Schemathesis in-process against the ASGI app (httpx's ASGI transport,
no network but a fake Bot API on loopback), every channel on, with a small,
derandomized budget per operation (25 requests): valid and invalid alike must get a
declared status and content type, never a 5xx, and the work done after the answer
(Telegram updates and WhatsApp events processed in the background) must log no error.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import logging
import re
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

import httpx
import schemathesis
import yaml
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings
from hypothesis.errors import Unsatisfiable
from hypothesis.strategies import SearchStrategy
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from starlette.routing import Route

from bot.app.build import make_app
from bot.app.settings import PROJECT, Settings, WebSettings
from bot.channels.telegram.webhook import SECRET_HEADER
from bot.channels.whatsapp.webhook import SIGNATURE_HEADER
from bot.domain.understanding import NLU
from tests.channels.telegram.botapi import FakeBotApi
from tests.channels.telegram.test_e2e import SECRET
from tests.channels.whatsapp.fakes import PHONE_NUMBER_ID, FakeGraph, sign
from tests.web.conftest import everything_on

OPENAPI = PROJECT / "docs" / "openapi.yaml"
Request = Callable[..., httpx.Response]
UPDATE_IDS = itertools.count(1)
# Requests per operation: 15 valid and 10 invalid (~180 in all, a few seconds), after the
# document's own examples.
BUDGET = {GenerationMode.POSITIVE: 15, GenerationMode.NEGATIVE: 10}
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


def load() -> Any:
    """The document, with the lists of WhatsApp's webhooks bounded (else generating is slow)."""
    document = yaml.safe_load(OPENAPI.read_text(encoding="utf-8"))

    def bound(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") == "array":
                node.setdefault("maxItems", 3)
            for value in node.values():
                bound(value)
        elif isinstance(node, list):
            for value in node:
                bound(value)

    for name in ("WhatsAppWebhook", "WhatsAppValue"):
        bound(document["components"]["schemas"][name])
    return schemathesis.openapi.from_dict(document)


def documented() -> set[tuple[str, str]]:
    schema = load()
    return {(op.method.upper(), op.path) for op in (r.ok() for r in schema.get_all_operations())}


def test_every_route_is_documented(settings: Settings) -> None:
    app = make_app(everything_on(settings, "http://127.0.0.1:9"))  # not started: routes only
    served = {
        (method, re.sub(r":\w+}", "}", route.path))  # "{token:str}" is "{token}"
        for route in app.routes
        if isinstance(route, Route)
        for method in route.methods or ()
        if method != "HEAD"
    }
    assert served == documented()


class Errors(logging.Handler):
    """Keeps every record at ERROR or above (a failure after an answer was sent)."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def _ours(body: Any) -> Any:
    """A generated WhatsApp body with our business number, so events reach the parser."""

    def items(node: Any, key: str) -> list[Any]:
        found = node.get(key) if isinstance(node, dict) else None
        return found if isinstance(found, list) else []

    for entry in items(body, "entry"):
        for change in items(entry, "changes"):
            value = change.get("value") if isinstance(change, dict) else None
            metadata = value.get("metadata") if isinstance(value, dict) else None
            if isinstance(metadata, dict):
                metadata["phone_number_id"] = PHONE_NUMBER_ID
    return body


def _new(body: Any) -> Any:
    """A generated update made new (fresh ids), so it is not dropped as a redelivery."""
    if isinstance(body, dict) and type(body.get("update_id")) is int:
        body["update_id"] = next(UPDATE_IDS)
        for kind in ("message", "edited_message"):
            message = body.get(kind)
            if isinstance(message, dict) and type(message.get("message_id")) is int:
                message["message_id"] = next(UPDATE_IDS)
    return body


def authenticate(headers: dict[str, str], name: str, value: str) -> None:
    """Set header ``name`` to ``value``, replacing the one generated (in any case)."""
    for generated in [key for key in headers if key.lower() == name.lower()]:
        del headers[generated]
    headers[name] = value


def send(request: Request, case: Any) -> httpx.Response:
    """Send ``case`` as a client would, authenticated where the channel needs it."""
    headers = {k: str(v) for k, v in (case.headers or {}).items()}
    content: bytes | None = None
    body = case.body
    has_body = body is not None and type(body).__name__ != "NotSet"
    if isinstance(body, bytes):  # a negative case: the raw bytes of a broken body
        content = body
    elif has_body and case.media_type == "application/x-www-form-urlencoded":
        fields = body if isinstance(body, dict) else {"value": body}
        content = urlencode({k: str(v) for k, v in fields.items()}).encode()
    elif has_body:
        if case.path == "/webhooks/whatsapp/webhook":
            body = _ours(body)
        if case.path == "/webhooks/telegram/webhook":
            body = _new(body)
        content = json.dumps(body).encode()
    if has_body:
        headers["content-type"] = case.media_type
    if case.path == "/webhooks/telegram/webhook":
        authenticate(headers, SECRET_HEADER, SECRET)  # fuzz what lies behind the secret
    if case.path == "/webhooks/whatsapp/webhook" and case.method == "POST":
        authenticate(headers, SIGNATURE_HEADER, sign(content or b""))
    return request(
        method=case.method,
        url=case.formatted_path,
        params=case.query or None,
        headers=headers,
        content=content,
    )


async def test_no_request_makes_the_server_fail(
    settings: Settings, bot_api: FakeBotApi, nlu: NLU | None
) -> None:
    schema = load()
    operations = [result.ok() for result in schema.get_all_operations()]
    served = everything_on(settings, bot_api.url)
    served = served.model_copy(update={"web": WebSettings(max_failures=100_000)})  # no 429s
    graph = FakeGraph()
    app = make_app(served, nlu=nlu, whatsapp_transport=graph.transport)
    errors = Errors()
    logging.getLogger().addHandler(errors)
    loop = asyncio.get_running_loop()
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)  # a 5xx, not a raise
    try:
        async with (
            app.router.lifespan_context(app),
            httpx.AsyncClient(transport=transport, base_url="http://bot") as http,
        ):

            def request(**parts: Any) -> httpx.Response:
                # Hypothesis drives the cases from a thread; the app answers on this loop.
                return asyncio.run_coroutine_threadsafe(http.request(**parts), loop).result()

            for operation in operations:
                # The document's own examples (real payloads) first, then generated ones.
                for example in schema.get_strategies_from_examples(operation):
                    await asyncio.to_thread(fuzz, request, operation, example, None, 5)
                for mode, budget in BUDGET.items():
                    generated = operation.as_strategy(generation_mode=mode)
                    await asyncio.to_thread(fuzz, request, operation, generated, mode, budget)
            await app.state.telegram.idle()
            await app.state.whatsapp.drain()
            await app.state.bot().drainer.settle()
    finally:
        logging.getLogger().removeHandler(errors)
    assert [r.getMessage() for r in errors.records] == []
    # The fuzzing got past the channels' checks into turns, which were answered.
    assert len(bot_api.called("sendMessage")) > 10 and len(graph.sent) > 10


def fuzz(
    request: Request,
    operation: Any,
    cases: SearchStrategy[Any],
    mode: GenerationMode | None,
    budget: int,
) -> None:
    """Up to ``budget`` requests to ``operation`` (``mode``: generated), the same every run."""

    @hypothesis_settings(
        max_examples=budget,
        derandomize=True,
        deadline=None,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=cases)
    def run(case: Any) -> None:
        case.validate_response(send(request, case), checks=CHECKS)

    try:
        run()
    except Unsatisfiable:
        assert mode is GenerationMode.NEGATIVE  # nothing to get wrong (GET /health)
    except Exception as exc:
        kind = mode.value if mode else "example"
        exc.add_note(f"{operation.method.upper()} {operation.path} ({kind})")
        raise
