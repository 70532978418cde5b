"""Resource cards: one short Markdown section per catalog resource, indexed like any document.

They live in `<data_dir>/generated/resource-cards.md`, so the ordinary ingest (hash skip,
crash safety, BM25) covers them; the file is deterministic, so it changes only when the
catalog's facts do.  The stage goes into the heading so `--stage` filters work on cards.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

__all__ = ["CARDS_DOC", "render_cards", "write_cards", "generated_dir"]

CARDS_DOC = "resource-cards"


def generated_dir(data_dir: Path) -> Path:
    return data_dir / "generated"


def _card(r: Mapping[str, Any], skill_names: dict[int, str], stage_names: dict[int, str]) -> str:
    contexts = r["contexts"]
    skills = sorted({c["skill"] for c in contexts if c["skill"] is not None})
    stages = sorted({c["stage"] for c in contexts if c["stage"] is not None})
    facts = " · ".join(x for x in (r["type"], r["lang"], f"阶段 {stages[0]}" if stages else None) if x)
    lines = [f"## {r['name']}" + (f" · {facts}" if facts else ""), ""]
    if r["type"]:
        lines.append(f"- 类型 Type：{r['type']}")
    if r["lang"]:
        lang_en = "Chinese" if "中" in r["lang"] else ("English" if "英" in r["lang"] else "")
        lines.append(f"- 语言 Language：{r['lang']}" + (f"（{lang_en}）" if lang_en else ""))
    if r["stars"]:
        lines.append(f"- 推荐度 Rating：{'⭐' * int(r['stars'])}（{r['stars']}/5）")
    lines.append(f"- 链接 Link：{r['url']}")
    for n in skills:
        lines.append(f"- 技能 Skill：{skill_names.get(n, f'技能点 {n}')}")
    for n in stages:
        lines.append(f"- 阶段 Stage：{stage_names.get(n, f'阶段 {n}')}")
    for c in contexts[:2]:
        where = " › ".join(c["headings"][-2:])
        lines.append(f"- 出处 Context：{where}：{c['sentence'][:120]}")
    return "\n".join(lines)


def render_cards(
    resources: Sequence[Mapping[str, Any]], skill_names: dict[int, str], stage_names: dict[int, str]
) -> str:
    head = (
        "---\ntitle: 学习资源卡片 Resource cards\n---\n\n# 学习资源卡片 Resource cards\n\n"
        "每个资源一张卡片：名称、类型、语言、推荐度、所属技能和阶段，以及它在资料中出现的位置。\n"
    )
    return head + "\n\n".join(_card(r, skill_names, stage_names) for r in resources) + "\n"


def write_cards(path: Path, text: str) -> bool:
    """Write only when the content changed (so the ingest's hash check skips it); True if written."""
    try:
        if path.read_text(encoding="utf-8") == text:
            return False
    except OSError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)
    return True
