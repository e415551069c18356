"""Render captured terminal text (`tmux capture-pane -p`) to a PNG for the README, with Qt offscreen.

Usage: .venv/bin/python docs/terminal_png.py CAPTURE.txt OUT.png [TITLE]

The README's terminal pictures (docs/screenshots/terminal-*.png) are made this way from real runs, so
they show what the CLI prints, not a mock-up; docs/README.md says how each was captured.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path


def render(text: str, out: Path, title: str = "") -> None:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtGui import QColor, QFont, QFontMetrics, QImage, QPainter

    from tasklens.gui.app import application

    _app = application()
    lines = text.rstrip("\n").splitlines() or [""]
    font = QFont("DejaVu Sans Mono", 11)
    metrics = QFontMetrics(font)
    pad, bar = 14, 26 if title else 0
    width = max(metrics.horizontalAdvance(line) for line in lines) + 2 * pad
    height = metrics.lineSpacing() * len(lines) + 2 * pad + bar
    image = QImage(max(width, 320), height, QImage.Format.Format_RGB32)
    image.fill(QColor("#1e2329"))
    painter = QPainter(image)
    if title:
        painter.fillRect(0, 0, image.width(), bar, QColor("#343b45"))
        painter.setPen(QColor("#c9d1d9"))
        painter.setFont(QFont("DejaVu Sans", 9))
        painter.drawText(pad, 17, title)
    painter.setFont(font)
    painter.setPen(QColor("#e6edf3"))
    for i, line in enumerate(lines):
        painter.drawText(pad, bar + pad + metrics.ascent() + i * metrics.lineSpacing(), line)
    painter.end()
    if not image.save(str(out)):
        raise SystemExit(f"cannot write {out}")


if __name__ == "__main__":
    if len(sys.argv) < 3:
        raise SystemExit("usage: terminal_png.py CAPTURE.txt OUT.png [TITLE]")
    render(Path(sys.argv[1]).read_text(encoding="utf-8"), Path(sys.argv[2]), " ".join(sys.argv[3:]))
