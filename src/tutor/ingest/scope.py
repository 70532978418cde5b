"""Which documents one ingest reads and which it removes (the rule in tutor.ingest.sources):
the paths it was given or every registered source; removal only of deleted files under those
roots, of `remove`d sources and, with `prune`, of documents whose file or source is gone."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from tutor.errors import InputError
from tutor.index.manifest import DocEntry, Manifest
from tutor.ingest.sources import SourceRegistry

__all__ = [
    "UNCLAIMED",
    "IngestRequest",
    "gone_docs",
    "is_under",
    "removed_docs",
    "roots_for",
    "split_resolvable",
    "unclaimed",
]

UNCLAIMED = "not a registered source and nothing indexed under it"


@dataclass(frozen=True)
class IngestRequest:
    """What one `tutor ingest` asked for."""

    paths: Sequence[Path] | None
    rebuild: bool
    show_progress: bool
    prune: bool
    remove: Sequence[Path]


def is_under(path: str, roots: Sequence[Path]) -> bool:
    p = Path(path).resolve()
    return any(p == r or r in p.parents for r in roots)


def roots_for(registry: SourceRegistry, request: IngestRequest) -> tuple[list[Path], list[Path]]:
    """The roots this run reads (given paths, or every registered source) and the `remove` paths
    that were not registered.  Given paths are registered; removed ones unregistered."""
    for path in request.remove:
        if path.resolve() in registry.configured:
            raise InputError(path, "is configured in corpus.paths; take it out of the profile to remove it")
    given = [Path(p) for p in request.paths or []]
    registry.add(p for p in given if p.exists())
    unregistered = [path for path in request.remove if not registry.remove(path)]
    if request.rebuild:
        return list(dict.fromkeys([*registry.all(), *(p.resolve() for p in given)])), unregistered
    if given:
        return given, unregistered
    return ([] if request.remove else registry.all()), unregistered


def gone_docs(
    manifest: Manifest,
    roots: Sequence[Path],
    files: Sequence[Path],
    registry: SourceRegistry,
    request: IngestRequest,
    generated: Path,
) -> list[DocEntry]:
    """Documents this run removes: deleted files under the ingested roots, everything under a
    removed source and, with `prune`, documents whose file or source is gone.  Never others."""
    seen = {str(p.resolve()) for p in files}
    resolved_roots = [r.resolve() for r in roots]
    removed_roots = [Path(p).resolve() for p in request.remove]

    def goes(d: DocEntry) -> bool:
        exists = Path(d.source).exists()
        return (
            (is_under(d.source, resolved_roots) and not exists)
            or is_under(d.source, removed_roots)
            or (request.prune and (not exists or not registry.covers(d.source)))
        )

    return [
        d
        for d in manifest.docs.values()
        if d.source not in seen and not is_under(d.source, [generated]) and goes(d)
    ]


def removed_docs(
    manifest: Manifest, gone: Sequence[DocEntry], seen_sources: set[str], generated: Path
) -> list[DocEntry]:
    """The entries to drop from `manifest`: the gone documents, and generated ones whose file was deleted."""
    gone_ids = {d.doc_id for d in gone}
    return [
        d
        for d in manifest.docs.values()
        if d.doc_id in gone_ids
        or (d.source not in seen_sources and is_under(d.source, [generated]) and not Path(d.source).exists())
    ]


def unclaimed(unregistered: Sequence[Path], gone: Sequence[DocEntry]) -> list[Path]:
    """The `remove` paths that were neither registered nor hold an indexed document."""
    return [path for path in unregistered if not any(is_under(d.source, [path.resolve()]) for d in gone)]


def split_resolvable(files: Sequence[Path]) -> tuple[list[Path], list[tuple[Path, str]]]:
    """Files whose path resolves, and the others with a one-line reason (a symlink loop must not
    abort the run: resolving it raises RuntimeError on Python 3.11, OSError on later versions)."""
    good: list[Path] = []
    bad: list[tuple[Path, str]] = []
    for path in files:
        try:
            path.resolve()
        except (OSError, RuntimeError) as exc:
            loop = "loop" in str(exc).lower()
            bad.append((path, "symlink loop; remove or fix the link" if loop else f"path error ({exc})"))
            continue
        good.append(path)
    return good, bad
