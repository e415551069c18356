"""Small QPainter charts (PySide6-Essentials has no QtCharts): horizontal bars and day columns."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPaintEvent
from PySide6.QtWidgets import QSizePolicy, QWidget

from tasklens.gui import style


class BarChart(QWidget):
    """Labelled horizontal bars, one per (label, value); the value printed at the bar's end."""

    def __init__(self, title: str, unit: str = "h", digits: int = 1, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title, self.unit, self.digits = title, unit, digits
        self.rows: list[tuple[str, float]] = []
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def set_rows(self, rows: Sequence[tuple[str, float]]) -> None:
        self.rows = [(str(a), float(b)) for a, b in rows]
        self.setToolTip("\n".join(f"{a}: {b:.2f} {self.unit}" for a, b in self.rows))
        self.update()

    def sizeHint(self) -> QSize:
        return QSize(420, 60 + 24 * max(3, len(self.rows)))

    def paintEvent(self, _e: QPaintEvent) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        top = style.chart_title(p, self.rect(), self.title)
        if not self.rows:
            style.empty_note(p, self.rect().adjusted(0, top, 0, 0), "no data in this selection")
            return
        fm = QFontMetrics(p.font())
        label_w = min(self.width() // 2, max(fm.horizontalAdvance(a) for a, _ in self.rows) + 12)
        value_w = fm.horizontalAdvance(self._text(max(v for _, v in self.rows))) + 10
        top_v = max(v for _, v in self.rows) or 1.0
        row_h = min(28.0, (self.height() - top - 8) / len(self.rows))
        for i, (label, value) in enumerate(self.rows):
            y = top + i * row_h
            p.setPen(style.TEXT)
            text = fm.elidedText(label, Qt.TextElideMode.ElideRight, label_w - 10)   # names start with what tells
            p.drawText(QRectF(4, y, label_w - 8, row_h), Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                       text)
            w = (self.width() - label_w - value_w - 8) * value / top_v
            p.fillRect(QRectF(label_w, y + row_h * 0.18, max(1.0, w), row_h * 0.64), style.series(i))
            p.drawText(QRectF(label_w + w + 6, y, value_w, row_h), Qt.AlignmentFlag.AlignVCenter,
                       self._text(value))

    def _text(self, value: float) -> str:
        return f"{value:.{self.digits}f} {self.unit}".rstrip()


class DayChart(QWidget):
    """One column per day (active hours), with the day's event count under it."""

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = title
        self.days: list[tuple[str, int, float]] = []
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def set_days(self, days: Sequence[tuple[str, int, float]]) -> None:
        self.days = list(days)
        self.setToolTip("\n".join(f"{d}: {n} events, {h:.1f} h active" for d, n, h in self.days))
        self.update()

    def sizeHint(self) -> QSize:
        return QSize(420, 240)

    def paintEvent(self, _e: QPaintEvent) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        top = style.chart_title(p, self.rect(), self.title)
        if not self.days:
            style.empty_note(p, self.rect().adjusted(0, top, 0, 0), "no data in this selection")
            return
        fm = QFontMetrics(p.font())
        small = QFont(p.font())
        small.setPointSizeF(p.font().pointSizeF() * 0.85)
        base = self.height() - 2 * fm.height() - 8
        top_h = max(h for _, _, h in self.days) or 1.0
        col = (self.width() - 16) / len(self.days)
        for i, (day, n, h) in enumerate(self.days):
            x = 8 + i * col
            bar_h = (base - top - fm.height() - 4) * h / top_h
            p.fillRect(QRectF(x + col * 0.15, base - bar_h, col * 0.7, bar_h), style.series(0))
            p.setPen(style.TEXT)
            p.drawText(QRectF(x, base - bar_h - fm.height() - 2, col, fm.height()), Qt.AlignmentFlag.AlignCenter,
                       f"{h:.1f} h")
            p.setFont(small)
            label = day[5:] if col < fm.horizontalAdvance(day) + 6 else day
            p.drawText(QRectF(x, base + 2, col, fm.height()), Qt.AlignmentFlag.AlignCenter, label)
            p.setPen(QColor(style.MUTED))
            p.drawText(QRectF(x, base + fm.height() + 2, col, fm.height()), Qt.AlignmentFlag.AlignCenter,
                       f"{n:,} ev")
            p.setFont(self.font())
