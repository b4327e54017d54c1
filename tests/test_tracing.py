"""With OpenTelemetry's httpx instrumentation on, every attempt of a call is its own client span.

OpenTelemetry is a dev dependency only (requirements/dev.txt): services bring their own.
These tests use the public API alone (no knowledge of how the client builds its transport),
against a real server on 127.0.0.1 that answers 429 and then 200.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import meetbit
import pytest
from clients import KEY_ID, OK, SECRET, make_client
from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, Tracer
from wire import Reply, WireServer

pytestmark = pytest.mark.behaviour

RATE_LIMITED = Reply(429, "Too Many Requests", headers={"Retry-After": "0.05"})
# Old and new HTTP semantic conventions name it differently (OTEL_SEMCONV_STABILITY_OPT_IN).
STATUS_KEYS = ("http.status_code", "http.response.status_code")


@pytest.fixture(autouse=True)
def limited_then_ok(server: WireServer) -> None:
    """The server answers each test 429 (Retry-After: 0.05), then 200."""
    server.queue(RATE_LIMITED, OK)


@dataclass
class Tracing:
    exporter: InMemorySpanExporter
    tracer: Tracer  # the service's own spans, parents of the client's

    def client_spans(self) -> list[ReadableSpan]:
        spans = self.exporter.get_finished_spans()
        ordered = sorted(spans, key=lambda span: span.start_time or 0)
        return [span for span in ordered if span.kind == SpanKind.CLIENT]


@contextlib.contextmanager
def instrumented() -> Iterator[Tracing]:
    """HTTPXClientInstrumentor on, spans kept in memory; off again afterwards."""
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    # A provider of our own, not the global one, which can be set only once per process.
    HTTPXClientInstrumentor().instrument(tracer_provider=provider)
    try:
        yield Tracing(exporter, provider.get_tracer("a service"))
    finally:
        HTTPXClientInstrumentor().uninstrument()
        provider.shutdown()


@pytest.fixture
def tracing() -> Iterator[Tracing]:
    with instrumented() as tracing:
        yield tracing


def status_code(span: ReadableSpan) -> Any:
    attributes = span.attributes or {}
    return next(attributes[key] for key in STATUS_KEYS if key in attributes)


def everything_recorded(span: ReadableSpan) -> str:
    parts = [span.name, repr(dict(span.attributes or {}))]
    parts += [f"{event.name} {dict(event.attributes or {})!r}" for event in span.events]
    parts += [repr(dict(link.attributes or {})) for link in span.links]
    return "\n".join(parts)


def assert_one_span_per_attempt(spans: list[ReadableSpan], server: WireServer) -> None:
    assert len(server.received) == 2
    assert [status_code(span) for span in spans] == [429, 200]
    for span, received in zip(spans, server.received, strict=True):
        attributes = span.attributes or {}
        assert attributes.get("http.method", attributes.get("http.request.method")) == "POST"
        assert SECRET not in everything_recorded(span)
        # Each attempt carried its own span's context, so the server side links per attempt.
        assert received.headers["traceparent"].split("-")[2] == f"{span.context.span_id:016x}"


def test_each_attempt_of_a_sync_call_is_a_client_span_under_the_callers_span(
    tracing: Tracing, server: WireServer
) -> None:
    with (
        tracing.tracer.start_as_current_span("cancel the meeting") as parent,
        make_client(server) as c,
    ):
        event = c.events.cancel_event(12, 345, cancel_note="x")
    assert event.id == 345
    spans = tracing.client_spans()
    assert_one_span_per_attempt(spans, server)
    # The retry shows as two siblings under the one operation the service traced.
    assert [span.parent.span_id if span.parent else None for span in spans] == [
        parent.get_span_context().span_id
    ] * 2


def test_each_attempt_of_an_async_call_is_a_client_span(
    tracing: Tracing, server: WireServer
) -> None:
    async def cancel() -> None:
        async with meetbit.AsyncClient(
            base_url=server.base_url, access_key_id=KEY_ID, access_key_secret=SECRET
        ) as c:
            await c.events.cancel_event(12, 345, cancel_note="x")

    asyncio.run(cancel())
    assert_one_span_per_attempt(tracing.client_spans(), server)


def test_no_spans_once_uninstrumented(server: WireServer) -> None:
    with instrumented() as tracing:
        pass
    with make_client(server) as c:
        c.events.cancel_event(12, 345, cancel_note="x")
    assert len(server.received) == 2
    assert tracing.client_spans() == []
    assert "traceparent" not in server.received[0].headers


@pytest.mark.parametrize("sanitised", [True, False])
def test_captured_request_headers_need_the_secret_sanitised(
    sanitised: bool, monkeypatch: pytest.MonkeyPatch, server: WireServer
) -> None:
    # README tells services that record request headers to sanitise the secret's header:
    # without that, the instrumentation records it like any other header.
    monkeypatch.setenv("OTEL_INSTRUMENTATION_HTTP_CAPTURE_HEADERS_CLIENT_REQUEST", ".*")
    if sanitised:
        monkeypatch.setenv(
            "OTEL_INSTRUMENTATION_HTTP_CAPTURE_HEADERS_SANITIZE_FIELDS", "X-Access-Key-Secret"
        )
    with instrumented() as tracing:
        with make_client(server) as c:
            c.events.cancel_event(12, 345, cancel_note="x")
        spans = tracing.client_spans()
    assert len(spans) == 2
    recorded = "\n".join(everything_recorded(span) for span in spans)
    assert KEY_ID in recorded  # headers were captured
    assert (SECRET in recorded) is not sanitised
