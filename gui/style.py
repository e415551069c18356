"""One look for the tray and the dashboard: colours, the style sheet, chart helpers."""

from __future__ import annotations

from PySide6.QtCore import QRect, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QPainter

TEXT = QColor("#1f2933")
MUTED = QColor("#616e7c")
ACCENT = QColor("#2f6fb2")
PALETTE = ["#2f6fb2", "#3e9e7e", "#d08c2c", "#a855a0", "#c0504d", "#5b8fb9", "#7aa35b", "#8c6d46",
           "#5e6ad2", "#b5a642", "#4aa3a3", "#9b6bb5"]
STATUS_COLOURS = {"accepted": "#2e8540", "rejected": "#b03a2e", "open": "#616e7c"}

SHEET = """
QWidget { font-size: 10pt; color: #1f2933; }
QMainWindow, QDialog { background: #f5f7fa; }
QTabWidget::pane { border: 1px solid #cbd2d9; background: white; }
QTabBar::tab { padding: 6px 14px; }
QTabBar::tab:selected { background: white; font-weight: bold; }
QTableView { background: white; alternate-background-color: #f0f4f8; gridline-color: #e4e7eb; }
QHeaderView::section { background: #e4e7eb; padding: 4px; border: none; font-weight: bold; }
QLabel#kpi { background: white; border: 1px solid #cbd2d9; border-radius: 4px; padding: 6px 10px; }
QLabel#note { color: #616e7c; }
QToolButton { padding: 3px 18px 3px 6px; }
"""


def series(i: int) -> QColor:
    return QColor(PALETTE[i % len(PALETTE)])


def chart_title(p: QPainter, rect: QRect, title: str) -> int:
    """Draw a chart's title at the top; return the y below it."""
    f = QFont(p.font())
    f.setBold(True)
    p.setFont(f)
    p.setPen(TEXT)
    h = p.fontMetrics().height() + 8
    p.drawText(QRectF(rect.x() + 4, rect.y() + 2, rect.width() - 8, h), Qt.AlignmentFlag.AlignLeft, title)
    f.setBold(False)
    p.setFont(f)
    return rect.y() + h


def empty_note(p: QPainter, rect: QRect, text: str) -> None:
    p.setPen(MUTED)
    p.drawText(rect, Qt.AlignmentFlag.AlignCenter, text)
