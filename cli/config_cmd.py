"""`tasklens config show` and `config check`: the effective configuration and where each value came from.

Built-in defaults, then the organisation's file, then the user's own file, which may only tighten the
policy. A value a user asked for that cannot apply (a longer retention, say) is named, never ignored.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from tasklens.config import SCHEMA, Effective, explain_config


def _effective(args: argparse.Namespace) -> Effective:
    return explain_config(args.config, args.org_config)


def _rows(eff: Effective) -> list[tuple[str, Any, str]]:
    rows = []
    for section, table in SCHEMA.items():
        for key, (field_name, _check, _who) in table.items():
            value = getattr(eff.config, field_name)
            if field_name == "recognizers":
                value = [r.entity for r in value]
            rows.append((f"{section}.{key}", list(value) if isinstance(value, tuple) else value,
                         eff.origins.get(field_name, "built-in default")))
    return rows


def show(args: argparse.Namespace) -> int:
    eff = _effective(args)
    rows = _rows(eff)
    if args.json:
        print(json.dumps({"settings": {k: {"value": v, "from": o} for k, v, o in rows},
                          "files": list(eff.config.sources), "not_applied": list(eff.not_applied)}, indent=2))
        return 0
    print("files: " + (", ".join(eff.config.sources) or "none (built-in defaults only)"))
    for key, value, origin in rows:
        text = json.dumps(value, ensure_ascii=False)
        print(f"{key:<26} = {text if len(text) <= 60 else text[:57] + '...'}   # {origin}")
    for note in eff.not_applied:
        print(f"not applied: {note}")
    return 0


def check(args: argparse.Namespace) -> int:
    """Exit 0 when every file is valid and every value applies, 1 when a value cannot apply; a bad file is
    a ConfigError (exit 2) like everywhere else."""
    eff = _effective(args)
    for note in eff.not_applied:
        print(f"not applied: {note}")
    if eff.not_applied:
        return 1
    print(f"config is valid: {', '.join(eff.config.sources) or 'built-in defaults only'}")
    return 0
