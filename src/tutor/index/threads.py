"""torch's thread policy for a shared machine, applied before torch is imported.

By default OpenMP threads spin while they wait for work and torch uses one thread per core in
every process and request thread; on a machine shared with other processes (or with several
answers computed at once) the spinning threads fight each other and warm p95 gets several times
worse (issue 17).  `OMP_WAIT_POLICY` only takes effect if it is set before torch (libgomp) loads;
`torch.set_num_threads` works at any time.
"""

from __future__ import annotations

import logging
import os
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tutor.config import EmbeddingSettings

__all__ = ["apply_thread_policy", "limit_torch_threads"]

log = logging.getLogger(__name__)


def apply_thread_policy(cfg: EmbeddingSettings) -> None:
    """Set OMP_WAIT_POLICY (unless the environment already says) while torch is not loaded yet."""
    if not cfg.omp_wait_policy:
        return
    if "torch" in sys.modules:
        log.debug("torch already imported: OMP_WAIT_POLICY=%s would not take effect", cfg.omp_wait_policy)
        return
    os.environ.setdefault("OMP_WAIT_POLICY", cfg.omp_wait_policy)


def limit_torch_threads(cfg: EmbeddingSettings) -> None:
    """`embeddings.torch_threads` intra-op threads for this process (0 leaves torch's default)."""
    if cfg.torch_threads <= 0 or "torch" not in sys.modules:
        return
    import torch

    torch.set_num_threads(cfg.torch_threads)
    log.debug("torch threads: %d, OMP_WAIT_POLICY=%s", cfg.torch_threads, os.environ.get("OMP_WAIT_POLICY"))
