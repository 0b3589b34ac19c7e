"""CVX402's severity: info for an open route (public forms and reads exist on purpose), a
warning when the route's path says it is a webhook, whose one sender signs what it sends,
or when it spends a paid model API with the app's key (triage G53h: an open OpenAI proxy).
The rule's examples check lines and messages; this checks the level, which decides whether
`--fail-on warning` (CI, pre-commit) stops on it."""

from __future__ import annotations

import pytest

from cvxlint.diagnostics import Severity
from cvxlint.engine.registry import all_rules
from cvxlint.engine.rule import Invalid
from cvxlint.testing import run_example

RULE = next(r for r in all_rules() if r.code == "CVX402")
HEAD = ('import { httpRouter } from "convex/server";\nimport { httpAction } from "./_generated/server";\n'
        'import { internal } from "./_generated/api";\nconst http = httpRouter();\n')


@pytest.mark.parametrize("path,severity", [
    ("/clerk-webhook", Severity.WARNING),
    ("/webhooks/resend", Severity.WARNING),
    ("/api/leads", Severity.INFO),
])
def test_severity(path, severity, tmp_path):
    code = (HEAD + f'http.route({{ path: "{path}", method: "POST", handler: httpAction(async (ctx, req) => {{\n'
            '  await ctx.runMutation(internal.rows.add, { body: await req.text() });\n'
            '  return new Response(null);\n}) });\nexport default http;\n')
    run = run_example(RULE, Invalid(code, path="convex/http.ts", lines=[5]), tmp_path / "app")
    assert [(d.line, d.severity) for d in run.diagnostics] == [(5, severity)]


def test_a_route_spending_a_paid_model_api_is_a_warning(tmp_path):
    code = (HEAD + 'import { openai } from "@ai-sdk/openai";\nimport { streamText } from "ai";\n'
            'http.route({ path: "/api/chat", method: "POST", handler: httpAction(async (ctx, req) => {\n'
            '  const { messages } = await req.json();\n'
            '  return streamText({ model: openai("gpt-4o"), messages }).toDataStreamResponse();\n'
            '}) });\nexport default http;\n')
    run = run_example(RULE, Invalid(code, path="convex/http.ts", lines=[7]), tmp_path / "app")
    assert [(d.line, d.severity) for d in run.diagnostics] == [(7, Severity.WARNING)]


def test_an_open_proxy_to_a_paid_speech_api_is_a_warning(tmp_path):
    """Text to speech bills the owner's key per character like a model does (triage G55b P7:
    an open `GET /tts` that posts the query's text to Deepgram)."""
    code = (HEAD + 'http.route({ path: "/voice", method: "GET", handler: httpAction(async (ctx, req) => {\n'
            '  const line = new URL(req.url).searchParams.get("line") ?? "";\n'
            '  const token = process.env.DEEPGRAM_API_KEY;\n'
            '  const res = await fetch("https://api.deepgram.com/v1/speak", { method: "POST",\n'
            '    headers: { Authorization: `Token ${token}` }, body: JSON.stringify({ text: line }) });\n'
            '  await ctx.storage.store(await res.blob());\n'
            '  return new Response(null);\n}) });\nexport default http;\n')
    run = run_example(RULE, Invalid(code, path="convex/http.ts", lines=[5]), tmp_path / "app")
    assert [(d.line, d.severity) for d in run.diagnostics] == [(5, Severity.WARNING)]
