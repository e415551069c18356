"""HTML to PDF with Qt's own text layout, so reports need no browser or extra PDF library.

Qt reports a PDF it could not write only as a warning (`QPainter::begin(): Returned false`), so the
PDF is laid out into memory and written by `tasklens.files.atomic_write`: private, whole or absent,
and a failure is an `OutputError`, never a silent success.
"""

from __future__ import annotations

import os
from pathlib import Path

from tasklens.errors import OutputError, TasklensError
from tasklens.files import atomic_write


def html_to_pdf(html: str, path: Path) -> None:
    """Lay `html` out on A4 pages and write them to `path`; works headless (offscreen platform)."""
    if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    try:
        from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QMarginsF, QSizeF
        from PySide6.QtGui import (
            QPageLayout,
            QPageSize,
            QPdfWriter,
            QTextDocument,
        )
    except ImportError as e:
        raise TasklensError(f"cannot write PDF: Qt is not usable here ({e}); write .html instead") from None
    from tasklens.gui.app import application
    _app = application()   # a QApplication, not a bare QGuiApplication: widgets may follow in this process
    data = QByteArray()
    buffer = QBuffer(data)
    if not buffer.open(QIODevice.OpenModeFlag.WriteOnly):
        raise OutputError(f"cannot write {path}: Qt cannot open a PDF buffer")
    writer = QPdfWriter(buffer)
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
    del writer   # finishes the document into the buffer
    buffer.close()
    pdf = bytes(data.data())
    if not pdf.startswith(b"%PDF"):
        raise OutputError(f"cannot write {path}: Qt could not lay out the PDF (QPainter::begin failed)")
    atomic_write(path, pdf)
