#!/usr/bin/env bash
# Static checks: ruff, then mypy --strict. The folders install under other names (core/ is `tasklens`,
# analyzer/ is `tasklens.analyzer`, ...), which a checker that reads imports without installing cannot
# follow, so mypy reads a tree of symbolic links laid out as the installed package: build/typecheck/tasklens.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${VENV:-.venv}
top=$PWD
tree=build/typecheck
rm -rf "$tree"
mkdir -p "$tree/tasklens"
for f in core/*.py; do ln -s "$top/$f" "$tree/tasklens/"; done
for d in privacy collector analyzer gui cli; do ln -s "$top/$d" "$tree/tasklens/$d"; done
"$VENV/bin/ruff" check --quiet .
(cd "$tree" && "$top/$VENV/bin/mypy" --config-file "$top/pyproject.toml" -p tasklens)
