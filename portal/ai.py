"""The AI client: OpenAI's API (or any server that speaks it, through OPENAI_BASE_URL).

Everything here may fail or be switched off; callers get `AIUnavailable` and fall back to
what works without a model. Prompts and answers are never logged: they hold candidates'
words.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass

import openai

from portal.settings import Settings, settings

_log = logging.getLogger("boomerang.ai")


class AIUnavailable(Exception):
    """No key is set, or the call failed or timed out; the message says which, for the page."""


def enabled(config: Settings | None = None) -> bool:
    return bool((config or settings()).openai_api_key)


def _client(config: Settings) -> openai.OpenAI:
    if not config.openai_api_key:
        raise AIUnavailable("No OpenAI API key is set.")
    # One short try: a person is waiting, and the fallback is good enough.
    return openai.OpenAI(api_key=config.openai_api_key, base_url=config.openai_base_url,
                         timeout=config.openai_timeout, max_retries=0)


def chat_json(system: str, user: str, config: Settings | None = None) -> dict:
    """The model's answer to `user` under `system`, as a JSON object."""
    config = config or settings()
    client = _client(config)
    try:
        response = client.chat.completions.create(
            model=config.openai_model,
            messages=[{"role": "system", "content": system}, {"role": "user", "content": user}],
            response_format={"type": "json_object"},
            temperature=0.2,
        )
        content = response.choices[0].message.content or ""
        answer = json.loads(content)
    except openai.APITimeoutError:
        raise AIUnavailable("The AI service did not answer in time.") from None
    except openai.OpenAIError as error:
        _log.warning("AI call failed: %s", type(error).__name__)
        raise AIUnavailable("The AI service could not be reached.") from None
    except (json.JSONDecodeError, IndexError, AttributeError):
        raise AIUnavailable("The AI service gave an answer the portal could not read.") from None
    if not isinstance(answer, dict):
        raise AIUnavailable("The AI service gave an answer the portal could not read.")
    return answer


@dataclass(frozen=True)
class Moderation:
    flagged: bool
    categories: tuple[str, ...]


def moderate(text: str, config: Settings | None = None) -> Moderation:
    """OpenAI's moderation endpoint on `text`."""
    config = config or settings()
    client = _client(config)
    try:
        response = client.moderations.create(model="omni-moderation-latest", input=text)
    except openai.APITimeoutError:
        raise AIUnavailable("The moderation service did not answer in time.") from None
    except openai.OpenAIError as error:
        _log.warning("moderation call failed: %s", type(error).__name__)
        raise AIUnavailable("The moderation service could not be reached.") from None
    # The reply is not checked against its schema on arrival: any other shape is a reply
    # the portal cannot read, and the caller falls back as for a failed call.
    try:
        result = response.results[0]
        flagged = result.flagged
        categories = result.categories.model_dump(by_alias=True)
    except (AttributeError, IndexError, KeyError, TypeError, ValueError):
        flagged, categories = None, None
    if not isinstance(flagged, bool) or not isinstance(categories, dict):
        _log.warning("moderation reply unreadable")
        raise AIUnavailable("The moderation service gave an answer the portal could not read.")
    return Moderation(flagged, tuple(sorted(name for name, hit in categories.items() if hit is True)))
