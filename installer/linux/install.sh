#!/usr/bin/env sh
# Install the tasklens bundle for this user: ~/.local/opt/tasklens, a menu entry, a `tasklens` command,
# and with --autostart the tray at login. Run from the unpacked folder. Uninstall: ./install.sh --remove
set -eu
here=$(cd "$(dirname "$0")" && pwd)
prefix="${XDG_DATA_HOME:-$HOME/.local/share}/../opt/tasklens"
prefix=$(mkdir -p "$prefix" && cd "$prefix" && pwd)
apps="${XDG_DATA_HOME:-$HOME/.local/share}/applications"
autostart="${XDG_CONFIG_HOME:-$HOME/.config}/autostart"
bin="$HOME/.local/bin"
if [ "${1:-}" = "--remove" ]; then
  rm -rf "$prefix" "$apps/tasklens.desktop" "$apps/tasklens-tray.desktop" "$autostart/tasklens-tray.desktop" "$bin/tasklens"
  echo "tasklens removed (your recorded data stays until you run 'tasklens store delete-my-data')"; exit 0
fi
cp -R "$here/." "$prefix/"
mkdir -p "$apps" "$bin"
for f in tasklens.desktop tasklens-tray.desktop; do sed "s|@PREFIX@|$prefix|g" "$here/share/$f" > "$apps/$f"; done
ln -sf "$prefix/tasklens" "$bin/tasklens"
if [ "${1:-}" = "--autostart" ]; then
  mkdir -p "$autostart" && cp "$apps/tasklens-tray.desktop" "$autostart/"
  echo "the tray will start at login"
fi
echo "tasklens installed in $prefix; run 'tasklens --help' (make sure $bin is on your PATH)"
