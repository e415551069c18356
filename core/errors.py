"""The one exception hierarchy of tasklens.

Every error a user can cause or meet is a `TasklensError`: its message is one line that names what is
wrong and how to fix it, and `exit_code` is what the CLI exits with. Anything else escaping is a bug.

    TasklensError
    ├── ConfigError            bad TOML, unknown key, value out of range
    ├── KeyUnavailableError    no key for the store (keyring, TASKLENS_KEY, passphrase)
    ├── StoreError
    │   ├── StoreOpenError     wrong key, not a store, corrupt, newer schema, unwritable place
    │   └── StoreWriteError    disk full, read-only, I/O error during a batch
    ├── ConsentError           no consent for the current notice version
    ├── MaskingError           the masker could not run (setup); single failures fail closed
    ├── InputFormatError       a file to import is malformed (names file and line)
    ├── EnvironmentMissingError  no display, no RECORD, no xrandr, Wayland, ...
    ├── BundleError            bad, tampered, foreign, unsigned or future bundle
    ├── OutputError            an output cannot be written (a file where a folder is wanted, read-only, disk full)
    └── UsageError             a command line asks for something that does not exist
"""

from __future__ import annotations


class TasklensError(Exception):
    """Base of all errors a user can meet; `str(err)` is the one-line message."""

    exit_code: int = 2


class ConfigError(TasklensError):
    """A configuration file is unreadable or holds a bad value."""

    def __init__(self, path: str, key: str | None, problem: str) -> None:
        where = f"{path}: {key}" if key else path
        super().__init__(f"bad config {where}: {problem}")
        self.path, self.key, self.problem = path, key, problem


class KeyUnavailableError(TasklensError):
    """No key could be found or stored for an encrypted store."""


class StoreError(TasklensError):
    """Base of store failures."""


class StoreOpenError(StoreError):
    """The store cannot be opened (wrong key, damage, newer schema, unwritable place)."""


class StoreWriteError(StoreError):
    """A batch could not be written; the batch is rolled back, earlier batches are intact."""


class ConsentError(TasklensError):
    """Capture was asked for without consent to the current notice."""


class MaskingError(TasklensError):
    """The masker cannot be set up (a single string that fails is redacted, not raised)."""


class InputFormatError(TasklensError):
    """An input file to import is malformed; the message names the file and line."""


class EnvironmentMissingError(TasklensError):
    """Something the collector needs from the desktop is missing."""


class BundleError(TasklensError):
    """An employee bundle is for another key, tampered, truncated or from a newer version."""


class OutputError(TasklensError):
    """An output file or folder cannot be written; nothing half-written is left behind."""


class UsageError(TasklensError):
    """The command line names a command, option value or topic that does not exist."""
