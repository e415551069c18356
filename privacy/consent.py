"""Consent to the organisation's notice: nothing is captured for a user until they accept its
current version; a new version asks again; withdrawing stops capture and offers deletion."""

from __future__ import annotations

from tasklens.config import Config
from tasklens.errors import ConsentError
from tasklens.privacy.rights import delete_user
from tasklens.store import Store

HOW_TO_ACCEPT = "read it with `tasklens consent show`, then run `tasklens consent accept` " \
                "(or `tasklens collect --accept-notice`)"


def notice(config: Config) -> str:
    """The notice as shown to the employee, with its version."""
    return f"tasklens notice, version {config.notice_version}\n\n{config.notice_text}"


def has_consent(store: Store, user: str, config: Config) -> bool:
    decision = store.consent(user)
    return decision is not None and decision.covers(config.notice_version)


def require(store: Store, user: str, config: Config) -> None:
    """Raise `ConsentError` (one line saying how to accept) unless `user` accepted the current notice."""
    decision = store.consent(user)
    if decision is not None and decision.covers(config.notice_version):
        return
    if decision is None:
        why = f"no consent to the notice (version {config.notice_version}) yet"
    elif decision.decision == "withdraw":
        why = "consent was withdrawn"
    else:
        why = f"the notice changed (you accepted version {decision.notice_version}, it is now {config.notice_version})"
    raise ConsentError(f"capture needs consent: {why}; {HOW_TO_ACCEPT}")


def accept(store: Store, user: str, config: Config) -> None:
    """Record acceptance of the current notice version (the store audits it)."""
    store.record_consent(user, config.notice_version, "accept")


def withdraw(store: Store, user: str, config: Config, *, delete: bool = False) -> int:
    """Record withdrawal (capture stops: `require` raises again). With `delete`, also erase the
    user's events and rewrite the file; return how many events were deleted."""
    store.record_consent(user, config.notice_version, "withdraw")
    if not delete:
        return 0
    return delete_user(store, user, "consent.withdraw.delete")
