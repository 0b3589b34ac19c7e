"""Outside APIs billed per call to the app owner's key (language models, speech, images, search):
what spends the owner's money when anyone can reach the code that calls it (CVX402 for HTTP
routes, CVX401 for public actions)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from ..syntax import js
from ..syntax.tree import Node
from .auth import SECRET_ENV
from .definitions import ExternalDef
from .evaluate import local_const, made_with_new

if TYPE_CHECKING:
    from .callgraph import Reached
    from .definitions import Linker

# Calls that spend the app owner's money on a model provider: the `ai` SDK's generators and
# the official provider SDKs' clients (`new OpenAI()`, `new Anthropic()`).
_AI_SDK_CALLS = frozenset(["streamText", "generateText", "streamObject", "generateObject", "embed", "embedMany",
                           "generateImage", "experimental_generateImage", "generateSpeech",
                           "experimental_generateSpeech", "transcribe", "experimental_transcribe"])
# Outside APIs billed per call to the app's own key, one row per provider: (the word its key
# in the environment carries, its API hosts, its SDK packages). A route spends one through an
# SDK call, a `fetch` to its host (whose key a helper may set), or a `fetch` that sends its key
# (other secrets a route sends are no sign of cost: an OAuth callback sends its client secret).
# Short words are bounded: `EXA` is no `EXAMPLE_KEY`, `FAL` no `FALLBACK_TOKEN`.
PAID_APIS = (
    # language models
    (r"OPENAI", (r"api\.openai\.com",), ("openai",)),
    (r"ANTHROPIC|CLAUDE", (r"api\.anthropic\.com",), ("@anthropic-ai/sdk",)),
    (r"GEMINI|GOOGLE_(GENERATIVE_)?AI", (r"generativelanguage\.googleapis\.com",), ("@google/generative-ai", "@google/genai")),
    (r"GROQ", (r"api\.groq\.com",), ("groq-sdk",)),
    (r"MISTRAL", (r"api\.mistral\.ai",), ("@mistralai/mistralai",)),
    (r"COHERE", (r"api\.cohere\.(ai|com)",), ("cohere-ai",)),
    (r"OPENROUTER", (r"openrouter\.ai",), ()),
    (r"TOGETHER", (r"api\.together\.xyz",), ("together-ai",)),
    (r"DEEPSEEK", (r"api\.deepseek\.com",), ()),
    (r"PERPLEXITY", (r"api\.perplexity\.ai",), ()),
    (r"XAI|GROK", (r"api\.x\.ai",), ()),
    (r"FIREWORKS", (r"api\.fireworks\.ai",), ()),
    (r"HUGGING", (r"api-inference\.huggingface\.co", r"router\.huggingface\.co"), ()),
    # speech
    (r"ELEVEN_?LABS", (r"api\.elevenlabs\.io",), ("elevenlabs", "@elevenlabs/elevenlabs-js")),
    (r"DEEPGRAM", (r"api\.deepgram\.com",), ("@deepgram/sdk",)),
    (r"ASSEMBLY_?AI", (r"api\.assemblyai\.com",), ("assemblyai",)),
    (r"SPEECHMATICS", (r"asr\.api\.speechmatics\.com",), ()),
    (r"(?<![A-Z])REV_?AI(?![A-Z])", (r"api\.rev\.ai",), ()),
    (r"CARTESIA", (r"api\.cartesia\.ai",), ("@cartesia/cartesia-js",)),
    # images and video
    (r"REPLICATE", (r"api\.replicate\.com",), ("replicate",)),
    (r"STABILITY", (r"api\.stability\.ai",), ()),
    (r"(?<![A-Z])FAL(?![A-Z])", (r"fal\.run", r"queue\.fal\.run"), ("@fal-ai/client", "@fal-ai/serverless-client")),
    (r"RUNWAY", (r"api\.runwayml\.com", r"api\.dev\.runwayml\.com"), ("@runwayml/sdk",)),
    (r"(?<![A-Z])LUMA(?![A-Z])", (r"api\.lumalabs\.ai",), ("lumaai",)),
    (r"IDEOGRAM", (r"api\.ideogram\.ai",), ()),
    # sandboxes, search and scraping
    (r"(?<![A-Z0-9])E2B(?![A-Z])", (r"api\.e2b\.dev",), ("e2b", "@e2b/code-interpreter")),
    (r"(?<![A-Z])EXA(?![A-Z])", (r"api\.exa\.ai",), ("exa-js",)),
    (r"SERPER", (r"google\.serper\.dev",), ()),
    (r"TAVILY", (r"api\.tavily\.com",), ("@tavily/core",)),
    (r"FIRECRAWL", (r"api\.firecrawl\.dev",), ("@mendable/firecrawl-js",)),
)
_PROVIDER_SDKS = frozenset(pkg for _key, _hosts, pkgs in PAID_APIS for pkg in pkgs)
_PAID_HOST = re.compile(r"^https://(" + "|".join(h for _key, hosts, _pkgs in PAID_APIS for h in hosts) + r")[/:]")
_PAID_KEY = re.compile("|".join(key for key, _hosts, _pkgs in PAID_APIS), re.I)


def paid_call(linker: "Linker", reached: "list[Reached]") -> str | None:
    """A call that spends the app owner's money on an outside API (`PAID_APIS`: models,
    speech, images, search), as written: the `ai` SDK's `streamText(...)`, a provider SDK
    client's method (`new OpenAI().chat...`), or a `fetch` that sends a provider's key from the
    environment (`Authorization: Token ${process.env.DEEPGRAM_API_KEY}`) or goes to a provider's
    API host."""
    for r in reached:
        for site in r.func.all_calls():
            if site.global_name == "fetch":
                args = js.call_args(site.node)
                url = _string_of(r, args[0]) if args else None
                if (url is not None and _PAID_HOST.match(url)) or _sends_paid_key(r, site.node):
                    return "`fetch`"
                continue
            if site.is_new:
                continue  # making a client spends nothing; its method calls may
            if site.ref is None or site.ref.kind not in ("module", "local") or not site.path:
                continue
            d = linker.value_of(r.facts, site.callee) if site.ref.kind == "module" else None
            if isinstance(d, ExternalDef) and d.module == "ai" and not d.path and d.name in _AI_SDK_CALLS:
                return f"`{d.name}`"
            if isinstance(d, ExternalDef) and d.module in _PROVIDER_SDKS:
                return f"`{'.'.join(site.path)}`"
            made = made_with_new(linker, r.facts, site.callee)  # `const openai = new OpenAI()`
            if made is not None and isinstance(made[2], ExternalDef) and made[2].module in _PROVIDER_SDKS:
                return f"`{'.'.join(site.path)}`"
    return None


def _string_of(r: "Reached", n: Node | None) -> str | None:
    """A string or template's text (its literal start for a template), through a local const."""
    n = js.unwrap(n)
    if n is not None and n.type == "identifier":
        n = js.unwrap(local_const(r.facts, n)) or n
    if n is None:
        return None
    if n.type == "template_string":
        return r.facts.text(n).strip("`")
    return js.string_value(n)


def _sends_paid_key(r: "Reached", call: Node) -> bool:
    """Does the call's argument list read a paid provider's key from the environment, directly
    or through a local const (`const key = process.env.OPENAI_API_KEY`)?"""
    args = call.child("arguments")
    if args is None:
        return False
    spans = [(args.start, args.end)]
    for n in args.walk():
        if n.type in ("identifier", "shorthand_property_identifier"):
            init = local_const(r.facts, n)
            if init is not None:
                spans.append((init.start, init.end))
    for use in r.facts.env_reads():
        if SECRET_ENV.search(use.env_var or "") and _PAID_KEY.search(use.env_var or "") \
                and any(a <= use.node.start and use.node.end <= b for a, b in spans):
            return True
    return False
