"""The few exception types the tutor raises; each message says what to do next."""

from __future__ import annotations

__all__ = [
    "TutorError",
    "ConfigError",
    "InputError",
    "EmbeddingError",
    "IndexStoreError",
    "EvalDatasetError",
    "CurriculumError",
    "ProgressError",
    "BlockedAddressError",
    "WriterLockError",
]


class TutorError(Exception):
    """Base class: the CLI prints these as one line and exits non-zero."""


class ConfigError(TutorError):
    """A profile, setting or environment variable is wrong."""


class InputError(TutorError):
    """A document cannot be read or understood; names the file and the reason."""

    def __init__(self, path: object, reason: str) -> None:
        self.path = str(path)
        self.reason = reason
        super().__init__(f"{self.path}: {reason}")


class EmbeddingError(TutorError):
    """The embedding model cannot be loaded or used."""


class IndexStoreError(TutorError):
    """The vector store or the index files are missing, unreachable or inconsistent."""


class EvalDatasetError(TutorError):
    """An evaluation dataset is malformed; names the file, the line and the problem."""


class CurriculumError(TutorError):
    """The roadmap lacks the structure the curriculum needs; says which part is missing."""


class ProgressError(TutorError):
    """Learner data is missing or cannot be stored."""


class BlockedAddressError(TutorError):
    """An outbound request would reach an internal address (SSRF guard); names host, address and why."""

    def __init__(self, host: str, address: str, why: str) -> None:
        self.host, self.address, self.why = host, address, why
        super().__init__(
            f"blocked: {host} ({address}) is {why}; list it in resources.allow_networks "
            "or resources.allow_hosts if it is really meant to be fetched"
        )


class WriterLockError(TutorError):
    """Another process is writing to the data directory (ingest, fetch) and this one would not wait."""
