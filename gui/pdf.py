"""HTML to PDF with Qt's own text layout, so reports need no browser or extra PDF library."""

from __future__ import annotations

import os
from pathlib import Path

from tasklens.errors import TasklensError


def html_to_pdf(html: str, path: Path) -> None:
    """Lay `html` out on A4 pages and write them to `path`; works headless (offscreen platform)."""
    if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    try:
        from PySide6.QtGui import QGuiApplication, QPageLayout, QPageSize, QPdfWriter, QTextDocument
        from PySide6.QtCore import QMarginsF, QSizeF
    except ImportError as e:
        raise TasklensError(f"cannot write PDF: Qt is not usable here ({e}); write .html instead") from None
    _app = QGuiApplication.instance() or QGuiApplication(["tasklens"])   # must live while printing
    writer = QPdfWriter(str(path))
    writer.setPageLayout(QPageLayout(QPageSize(QPageSize.PageSizeId.A4), QPageLayout.Orientation.Portrait,
                                     QMarginsF(15, 15, 15, 15), QPageLayout.Unit.Millimeter))
    writer.setResolution(96)
    writer.setTitle("tasklens admin report")
    doc = QTextDocument()
    doc.setDocumentMargin(0)
    doc.setHtml(html)
    # lay the text out on the page's printable width in the writer's own pixels, or Qt uses screen metrics
    page = writer.pageLayout().paintRectPixels(writer.resolution())
    doc.setPageSize(QSizeF(page.width(), page.height()))
    doc.print_(writer)
