#!/usr/bin/env bash
# Build the one-folder bundle and the Linux .tar.gz; print its size and cold start time.
# Usage: installer/build.sh [DISTDIR]   (default: dist/) - needs the venv made by `make venv` and binutils.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
dist=$(mkdir -p "${1:-$root/dist}" && cd "${1:-$root/dist}" && pwd)
py="${PYTHON:-$root/.venv/bin/python}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
start=$(date +%s)
# PyInstaller cannot follow setuptools' editable-install mapping (core/ -> tasklens, privacy/ ->
# tasklens.privacy, ...): lay the package out as installed, in a staging folder the spec puts on its path.
src="$work/src/tasklens"
mkdir -p "$src"
cp -R "$root/core/." "$src/"
for part in privacy collector analyzer gui cli; do cp -R "$root/$part" "$src/$part"; done
find "$work/src" -name __pycache__ -prune -exec rm -rf {} +
export TASKLENS_STAGING="$work/src"
(cd "$root/installer" && "$py" -m PyInstaller --noconfirm --log-level WARN --distpath "$dist" --workpath "$work" tasklens.spec)
bundle="$dist/tasklens"
mkdir -p "$bundle/share"
cp "$root/installer/linux/"*.desktop "$bundle/share/"
cp "$root/installer/linux/install.sh" "$bundle/"
cp "$root/installer/tasklens-org.example.toml" "$bundle/"
version=$("$bundle/tasklens" --version | awk '{print $2}')
arch=$(uname -m)
tarball="$dist/tasklens-$version-linux-$arch.tar.gz"
tar -C "$dist" -czf "$tarball" tasklens
TIMEFORMAT=%R
cold=$( { time "$bundle/tasklens" --version >/dev/null; } 2>&1 )
echo "bundle:     $bundle ($(du -sm "$bundle" | cut -f1) MB, built in $(( $(date +%s) - start )) s)"
echo "tarball:    $tarball ($(du -m "$tarball" | cut -f1) MB)"
echo "start-up:   $cold s for 'tasklens --version' (first run after the build)"
