"""The last step before an answer reaches a learner, in every mode (model, extractive, planner):
links only from the operator's catalog, and nothing of the system prompt.

A model can be talked into printing a URL it read in a planted passage, or into repeating its
instructions; the extractive composer can quote a table row.  Whatever produced the text, a link
survives only when its URL is a resource of the operator's own material that no flagged passage
carries (the catalog drops those at ingest), and a line that repeats a sentence of the system prompt
is removed.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable, Sequence
from functools import lru_cache

from tutor.resources.catalog import normalize_url
from tutor.security.injection import LINK_REMOVED, normalize, redact_lines

log = logging.getLogger(__name__)

__all__ = ["LinkFilter", "OutputGuard", "escape_prompt_markup", "filter_links", "scrub_prompt_leaks"]

_MD_LINK = re.compile(r"(!?)\[([^\]\n]*)\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
_HTML_LINK = re.compile(r"<a\s[^>]*href\s*=\s*[\"']?([^\"'\s>]+)[^>]*>(.*?)</a>", re.IGNORECASE | re.DOTALL)
_AUTOLINK = re.compile(r"<((?:https?|ftp)://[^>\s]+)>", re.IGNORECASE)
_BARE_URL = re.compile(
    r"(?:https?|ftp)://[^\s<>\"'）)\]|，。；！？]+|\bwww\.[a-z0-9-]+\.[^\s<>\"'）)\]|，。；！？]+",
    re.IGNORECASE,
)
_PLACEHOLDER = "\x00{}\x00"
_PROMPT_MARKUP = re.compile(
    r"<\s*/?\s*(material|资料|system|instructions?|context|documents?|passages?)\s*>"
    r"|<\|[^|>\n]{0,40}\|>|\[/?INST\]|<</?SYS>>",
    re.IGNORECASE,
)


def escape_prompt_markup(text: str) -> str:
    """The prompt's own delimiters and chat-template tokens, echoed by a model, lose their brackets."""
    return _PROMPT_MARKUP.sub(lambda m: "(" + m.group(0).strip("<>[]").replace("|", "¦") + ")", text)


class LinkFilter:
    """Keeps links whose normalised URL is in `allowed`; others lose their URL (their words stay)."""

    def __init__(self, allowed: Iterable[str]) -> None:
        self.allowed = {normalize_url(u) for u in allowed if u}

    def ok(self, url: str) -> bool:
        url = url.strip().rstrip(".,;:!?，。；：！？")
        if url.lower().startswith("www."):
            url = "http://" + url
        try:
            key = normalize_url(url)
        except ValueError:
            return False
        return key in self.allowed or key.replace("http://", "https://", 1) in self.allowed

    def __call__(self, text: str) -> str:
        kept: list[str] = []

        def keep(value: str) -> str:
            kept.append(value)
            return _PLACEHOLDER.format(len(kept) - 1)

        text = _HTML_LINK.sub(lambda m: keep(m.group(0)) if self.ok(m.group(1)) else m.group(2), text)
        text = _MD_LINK.sub(lambda m: keep(m.group(0)) if self.ok(m.group(3)) else m.group(2), text)
        text = _AUTOLINK.sub(lambda m: keep(m.group(0)) if self.ok(m.group(1)) else LINK_REMOVED, text)
        text = _BARE_URL.sub(lambda m: keep(m.group(0)) if self.ok(m.group(0)) else LINK_REMOVED, text)
        for i, value in enumerate(kept):
            text = text.replace(_PLACEHOLDER.format(i), value)
        return text


def filter_links(text: str, allowed: Iterable[str]) -> str:
    return LinkFilter(allowed)(text)


def _prompt_fragments(prompts: Iterable[str]) -> list[str]:
    return list(_fragments_of(tuple(prompts)))


@lru_cache(maxsize=8)
def _fragments_of(prompts: tuple[str, ...]) -> tuple[str, ...]:
    """The system prompts' sentences, normalised: the same few prompts for every answer, so once."""
    out = []
    for prompt in prompts:
        for line in prompt.splitlines():
            line = re.sub(r"^\s*\d+[.)、]\s*|\{[a-z_]+\}", "", line).strip()
            for part in re.split(r"[。；;！!]|(?<=[a-z])\.\s", line):
                part = normalize(part).strip(" ：:，,")
                if len(part) >= 16:
                    out.append(re.sub(r"\s+", " ", part))
    return tuple(out)


def scrub_prompt_leaks(text: str, prompts: Iterable[str]) -> tuple[str, int]:
    """Lines that repeat a sentence of the system prompt are removed; returns text and count."""
    fragments = _prompt_fragments(prompts)
    lines = text.splitlines()
    removed = 0
    for i, line in enumerate(lines):
        flat = re.sub(r"\s+", " ", normalize(line))
        if any(f in flat for f in fragments):
            lines[i] = ""
            removed += 1
    return ("\n".join(lines) if removed else text), removed


class OutputGuard:
    """What every answer passes through, whatever produced it (a model, the extractive composer,
    a template): links only from `allowed_links()`, no line of the system prompt, no planted
    instruction a model was talked into repeating."""

    def __init__(self, allowed_links: Callable[[], set[str]], system_prompts: Sequence[str]) -> None:
        self.allowed_links = allowed_links
        self.system_prompts = tuple(system_prompts)
        self._filter: tuple[set[str], LinkFilter] | None = None

    def _link_filter(self) -> LinkFilter:
        """A filter over the current allowed set; rebuilt (every URL normalised) only when the set
        object changes, since `allowed_links` hands back the same set until the catalog changes."""
        allowed = self.allowed_links()
        if self._filter is None or self._filter[0] is not allowed:
            self._filter = (allowed, LinkFilter(allowed))
        return self._filter[1]

    def __call__(self, text: str) -> str:
        text = escape_prompt_markup(self._link_filter()(text))
        text, leaked = scrub_prompt_leaks(text, self.system_prompts)
        text, planted = redact_lines(text)
        if leaked or planted:
            log.warning(
                "Removed %d line(s) repeating the system prompt and %d instruction-like line(s) from an answer",
                leaked,
                planted,
            )
        return text
