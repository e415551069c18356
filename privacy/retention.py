"""Retention: events older than `retention_days` (default 30) are deleted, the file rewritten so
they leave no trace, and the purge is written to the audit trail."""

from __future__ import annotations

import logging
import time

from tasklens.config import Config
from tasklens.events import iso
from tasklens.store import Store

DAY = 86_400.0
log = logging.getLogger(__name__)
_LAST_RUN = "retention_last_run"
_UNCLEAN = "retention_vacuum_pending"   # a purge whose rewrite a reader blocked: rewrite at the next run


def cutoff(config: Config, now: float | None = None) -> float:
    return (time.time() if now is None else now) - config.retention_days * DAY


def purge_expired(store: Store, config: Config, now: float | None = None) -> int:
    """Delete events older than the retention period; return how many. Audited when any went."""
    before = cutoff(config, now)
    deleted = store.purge(before)
    if deleted:
        store.audit("retention.purge", f"before={iso(before)} days={config.retention_days} deleted={deleted}")
    if deleted or store.get_state(_UNCLEAN):
        clean = store.vacuum(wait=1.0)   # the capture loop calls this: do not hold it up for long
        if not clean:
            log.warning("expired events deleted, but a reader kept their traces in the store file; "
                        "the file is rewritten again at the next retention run")
        store.set_state(_UNCLEAN, None if clean else "1")
    store.set_state(_LAST_RUN, repr(time.time() if now is None else now))
    return deleted


def purge_if_due(store: Store, config: Config, now: float | None = None, every: float = 3600.0) -> int:
    """`purge_expired` at most once per `every` seconds: cheap enough to call from the capture loop."""
    now = time.time() if now is None else now
    last = store.get_state(_LAST_RUN)
    if last is not None and now - float(last) < every:
        return 0
    return purge_expired(store, config, now)
