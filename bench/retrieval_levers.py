"""Measure retrieval levers one at a time on several eval sets, in one warm process.

Usage:
  .venv/bin/python bench/retrieval_levers.py --data-root /tmp/levers --out /tmp/levers/runs \\
      --sets eval/retrieval.jsonl eval/retrieval_blind.jsonl \\
      --variants baseline time glossary --base retrieval.time_expressions=true

Each variant is the base settings (default profile + `--base key=value` overrides) plus its own
overrides (VARIANTS below, or `--variant name:key=value,key=value`). A variant that changes what
is indexed (chunking.*) gets its own data directory under --data-root and is ingested there once.
Prints one table (hybrid R@1/R@5/MRR@10, English and Chinese R@5 per set) and saves every run
as `<out>/<variant>__<set>.json` for `tutor eval retrieval --compare A.json B.json`.
"""

from __future__ import annotations

import argparse
import functools
import hashlib
import json
import os
from pathlib import Path
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
REPO = Path(__file__).resolve().parents[1]

VARIANTS: dict[str, dict[str, Any]] = {
    "baseline": {},
    "time": {"retrieval.time_expressions": True},
    "glossary": {"retrieval.bilingual_glossary": True},
    "heading2": {"retrieval.bm25_heading_boost": 2},
    "heading3": {"retrieval.bm25_heading_boost": 3},
    "route1": {"retrieval.doc_routing_weight": 1.0},
    "route0.5": {"retrieval.doc_routing_weight": 0.5},
    "restrict": {"retrieval.doc_routing_restrict_margin": 0.02},
    "restrict0": {"retrieval.doc_routing_restrict_margin": 0.0},
    "prf": {"retrieval.prf_terms": 10},
    "bm25w0.6": {"retrieval.bm25_weight": 0.6},
    "bm25w1.5": {"retrieval.bm25_weight": 1.5},
    "en0.6": {"retrieval.bm25_weight_no_cjk": 0.6},
    "rrf20": {"retrieval.rrf_k": 20},
    "kinds": {"retrieval.section_kinds": "keyword"},
    "kinds_both": {"retrieval.section_kinds": "both"},
    "kinds_zh": {"retrieval.section_kinds": "keyword", "retrieval.section_kinds_zh": True},
    "refs": {"retrieval.reference_sections": "numbered"},
    "view0.5": {"retrieval.section_view_weight": 0.5},
    # issue 13, fifth round (each "off" variant is the default profile without that kept lever)
    "no_next": {"retrieval.next_step_weight": 0.0},
    "no_faq": {"retrieval.faq_weight": 0.0},
    "no_concepts": {"retrieval.concept_terms": 0},
    "concepts_no_margin": {"retrieval.concept_terms_margin": 0.0},
    "hnsw": {"vector_store.exact_search_max": 0},
    # issue 13, eighth round: the learned second stage (`tutor eval train-ranker`), alone and blended
    "learned": {"retrieval.learned_ranker": True, "retrieval.learned_ranker_weight": 1000},
    "blend0.05": {"retrieval.learned_ranker": True, "retrieval.learned_ranker_weight": 0.05},
}


def _parse_value(raw: str) -> Any:
    try:
        return json.loads(raw)
    except json.JSONDecodeError:
        return raw


def _parse_pairs(text: str) -> dict[str, Any]:
    out = {}
    for pair in filter(None, text.split(",")):
        key, _, value = pair.partition("=")
        out[key.strip()] = _parse_value(value.strip())
    return out


def _nest(flat: dict[str, Any]) -> dict[str, Any]:
    nested: dict[str, Any] = {}
    for key, value in flat.items():
        section, _, field = key.partition(".")
        nested.setdefault(section, {})[field] = value
    return nested


def main() -> None:
    from rich.console import Console
    from rich.table import Table

    from tutor.app import build
    from tutor.config import load_settings
    from tutor.evaluation.compare import save_run
    from tutor.evaluation.report import to_json
    from tutor.evaluation.runner import run_retrieval_eval

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data-root", type=Path, required=True)
    ap.add_argument("--models-dir", type=Path, default=None, help="Converted embedder cache (shared).")
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--sets", type=Path, nargs="+", default=[REPO / "eval" / "retrieval.jsonl"])
    ap.add_argument(
        "--variants", nargs="*", default=["baseline"], help="Named variants; none with --variant only."
    )
    ap.add_argument("--variant", action="append", default=[], help="name:key=value,key=value (ad hoc)")
    ap.add_argument("--base", action="append", default=[], help="key=value applied to every variant")
    ap.add_argument("--modes", default="hybrid")
    args = ap.parse_args()

    variants = {name: VARIANTS[name] for name in args.variants}
    for spec in args.variant:
        name, _, pairs = spec.partition(":")
        variants[name] = _parse_pairs(pairs)
    base = _parse_pairs(",".join(args.base))
    modes = args.modes.split(",")
    args.out.mkdir(parents=True, exist_ok=True)
    console = Console()
    embedder = None
    services: dict[str, Any] = {}
    table = Table(title=f"Levers ({', '.join(modes)}; base {base or 'default'})")
    table.add_column("variant")
    for s in args.sets:
        for col in ("R@1", "R@5", "MRR", "en R@5", "zh R@5"):
            table.add_column(f"{s.stem[:14]} {col}", justify="right")
    summary: dict[str, Any] = {}
    for name, overrides in variants.items():
        flat = {**base, **overrides}
        chunking = {k: v for k, v in flat.items() if k.startswith("chunking.")}
        key = hashlib.sha1(json.dumps(chunking, sort_keys=True).encode()).hexdigest()[:8]
        data_dir = args.data_root / f"data-{key}"
        settings = load_settings(
            ["default"],
            data_dir=data_dir,
            models_dir=args.models_dir,
            corpus={"paths": [REPO / "corpus"]},
            **_nest(flat),
        )
        if embedder is None:
            embedder = build(settings).embedder
            # Same question text, same vector: variants only pay for the queries they change.
            object.__setattr__(
                embedder, "embed_query", functools.lru_cache(maxsize=None)(embedder.embed_query)
            )
        svc = build(settings, embedder=embedder)
        if key not in services:
            report = svc.ingest()
            console.print(f"[dim]{name}: index {data_dir} ({report.total_chunks} chunks)[/]")
            services[key] = True
        row = [name]
        for dataset in args.sets:
            _, results = run_retrieval_eval(svc.index, svc.search_for, svc.naive_baseline(), dataset, modes)
            save_run(
                args.out / f"{name}__{dataset.stem}.json",
                dataset,
                results,
                settings.model_dump(mode="json", include={"retrieval", "chunking"}),
            )
            payload = to_json(dataset, len(next(iter(results.values())).results), results)
            h = payload["modes"][modes[-1]]
            summary.setdefault(name, {})[dataset.stem] = payload["modes"]
            row += [
                f"{h['recall']['1']:.3f}",
                f"{h['recall']['5']:.3f}",
                f"{h['mrr@10']:.3f}",
                f"{h['by_lang'].get('en', {}).get('recall', {}).get('5', 0):.3f}",
                f"{h['by_lang'].get('zh', {}).get('recall', {}).get('5', 0):.3f}",
            ]
        table.add_row(*row)
        console.print(f"[dim]{name}: " + " | ".join(row[1:]) + "[/]")
    console.print(table)
    (args.out / "levers.json").write_text(json.dumps(summary, ensure_ascii=False, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
