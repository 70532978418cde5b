"""How quoted blocks are shown: under their section, every line cited, English framing for English questions.

Split from `tutor.chain.compose` (which chooses the blocks) so each module stays small.
"""

from __future__ import annotations

from tutor.chain.answer import Source
from tutor.chain.compose import Block
from tutor.resources.cards import CARDS_DOC

__all__ = ["render_blocks"]


def render_blocks(blocks: list[Block], sources: list[Source], language: str, lead: str | None = None) -> str:
    """Quoted blocks under their section, each line cited; English questions get English framing
    (`lead` replaces the opening line, e.g. to say which item of an earlier list this is)."""
    zh = language == "zh"
    by_n = {s.n: s for s in sources}
    out = [
        lead
        or (
            "根据资料中最相关的内容："
            if zh
            else "Here is what the material says (quoted from the original, which is in Chinese):"
        )
    ]
    current: str | None = None
    for b in blocks:
        source = by_n[b.source]
        if b.where:
            section = b.where
        elif source.doc == CARDS_DOC:
            section = source.headings[0] if source.headings else source.title
        else:
            section = " › ".join(h for h in source.headings[-2:] if h) or source.title
        if b.label and b.kind not in ("qa", "step") and b.label not in section:
            section = f"{section} › {b.label}"
        if section != current:
            current = section
            out += ["", f"**{section}**" if zh else f"From **{section}**:"]
        if b.kind == "qa":
            out.append(f"- 问：{b.label}" if zh else f"- Q: {b.label}")
            for k, line in enumerate(b.lines):
                lead = ("  答：" if zh else "  A: ") if k == 0 else "  - "
                out.append(f"{lead}{line} [{b.source}]")
            continue
        if b.kind == "step":  # one step of a document's steps section: its title and key line
            key = f"{'：' if zh else ': '}{b.lines[0]}" if b.lines else ""
            out.append(f"- **{b.label}**{key} [{b.source}]")
            continue
        if b.kind == "outline":
            out.extend(f"- {line} [{b.source}]" for line in b.lines)
            continue
        if b.intro:
            out.append(f"{b.intro} [{b.source}]")
        if b.kind in ("code", "math"):
            out.extend(b.lines)
            if not b.intro:  # a code block quoted alone is cited too: no quoted text without its passage
                out.append(f"{'出处' if zh else 'See'} [{b.source}]")
            continue
        for line in b.lines:
            indent = "  " if line.startswith("  ") else ""
            out.append(f"{indent}- {line.strip()} [{b.source}]")
    return "\n".join(out)
