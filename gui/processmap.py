"""The process map: a directly-follows graph drawn top-down in layers, edge width by frequency.

Top-down because routines are long chains: ten steps fit the height of a window, not its width.
"""

from __future__ import annotations

import math
from collections import defaultdict

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QPainter, QPainterPath, QPen, QPolygonF
from PySide6.QtWidgets import QGraphicsScene, QGraphicsView, QWidget

from tasklens.analyzer.selection import MapGraph
from tasklens.gui import style
from tasklens.gui.model import short_label

NODE_W, NODE_H, COL_GAP, ROW_GAP = 230.0, 44.0, 70.0, 30.0


def layered(position: dict[str, float], edges: dict[tuple[str, str], int]) -> tuple[dict[str, int], dict[str, int]]:
    """Layers for a top-down drawing: longest path over the edges that go forward in `position`
    (an activity's median relative place in its instances); inside a layer, ordered by the mean slot
    of the activities leading into it, so chains stay in one column."""
    rank = {a: i for i, a in enumerate(sorted(position, key=lambda a: (position[a], a)))}
    preds: dict[str, list[str]] = defaultdict(list)
    for a, b in edges:
        if rank[a] < rank[b]:
            preds[b].append(a)
    layer: dict[str, int] = {}
    for a in sorted(rank, key=lambda k: rank[k]):
        layer[a] = max((layer[p] + 1 for p in preds[a]), default=0)
    slot: dict[str, float] = {}
    order: dict[str, int] = {}
    for lay in range(max(layer.values(), default=-1) + 1):
        members = [a for a in layer if layer[a] == lay]
        members.sort(key=lambda a: (np.mean([slot[p] for p in preds[a]]) if preds[a] else len(slot), rank[a]))
        for i, a in enumerate(members):
            slot[a] = order[a] = i
    return layer, order


class ProcessMapView(QGraphicsView):
    """The map drawn on a scene of its own: nodes in layers, forward edges down, back edges on the right."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._taken: list[QRectF] = []      # node and label boxes already on the scene
        self.setScene(QGraphicsScene(self))
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)
        self.setBackgroundBrush(QColor("white"))

    def show_map(self, pm: MapGraph) -> None:
        scene = self.scene()
        scene.clear()
        if not pm.nodes:
            scene.addText("No task instances in this selection.").setDefaultTextColor(style.MUTED)
            return
        layers, order = layered(pm.position, pm.edges)
        pos = {a: QPointF(order[a] * (NODE_W + COL_GAP), layers[a] * (NODE_H + ROW_GAP)) for a in pm.nodes}
        self._taken = [QRectF(p.x(), p.y(), NODE_W, NODE_H) for p in pos.values()]
        top = max(pm.edges.values())
        for (a, b), n in sorted(pm.edges.items(), key=lambda e: -e[1]):   # busiest labels placed first
            self._edge(pos[a], pos[b], n, top)
        top_n = max(pm.nodes.values())
        for a, p in pos.items():
            self._node(a, p, pm.nodes[a], top_n)
        scene.setSceneRect(scene.itemsBoundingRect().adjusted(-20, -20, 20, 20))

    def fit(self) -> None:
        rect = self.scene().sceneRect()
        if rect.width() > self.viewport().width() or rect.height() > self.viewport().height():
            self.fitInView(rect, Qt.AspectRatioMode.KeepAspectRatio)

    def _node(self, activity: str, p: QPointF, n: int, top: int) -> None:
        t = 0.15 + 0.6 * n / top            # opaque blend towards the accent: edges pass behind, not through
        accent = QColor(style.ACCENT)
        shade = QColor.fromRgbF(*(1 - t + t * c for c in (accent.redF(), accent.greenF(), accent.blueF())))
        rect = self.scene().addRect(QRectF(p.x(), p.y(), NODE_W, NODE_H), QPen(style.ACCENT, 1.2), QBrush(shade))
        rect.setZValue(2)
        rect.setToolTip(f"{activity}\n{n:,} times")
        text = self.scene().addSimpleText(f"{short_label(activity, 34)}\n{n:,}×")
        text.setBrush(style.TEXT)
        text.setPos(p.x() + 5, p.y() + 4)
        text.setZValue(3)

    def _edge(self, a: QPointF, b: QPointF, n: int, top: int) -> None:
        width = 0.8 + 5.0 * n / top
        colour = QColor(style.MUTED)
        colour.setAlphaF(0.35 + 0.5 * n / top)
        path = QPainterPath()
        if b.y() > a.y():            # forward: bottom of a to top of b
            start, end = QPointF(a.x() + NODE_W / 2, a.y() + NODE_H), QPointF(b.x() + NODE_W / 2, b.y())
            dy = (end.y() - start.y()) / 2
            path.moveTo(start)
            path.cubicTo(start + QPointF(0, dy), end - QPointF(0, dy), end)
            angle = -math.pi / 2
        else:                        # back to an earlier step (or itself): around the right-hand side
            start, end = QPointF(a.x() + NODE_W, a.y() + NODE_H / 2), QPointF(b.x() + NODE_W, b.y() + NODE_H / 2)
            bulge = 40.0 + abs(a.y() - b.y()) * 0.08
            path.moveTo(start)
            path.cubicTo(start + QPointF(bulge, 0), end + QPointF(bulge, 0), end)
            angle = math.pi
        item = self.scene().addPath(path, QPen(colour, width))
        item.setToolTip(f"directly followed {n:,} times")
        self._arrow(end, angle, colour, width)
        self._label(f"{n:,}", path.pointAtPercent(0.5))

    def _label(self, text: str, at: QPointF) -> None:
        """The count beside the edge's middle, on a white patch, moved along until it overlaps no node
        and no other count (parallel edges would otherwise print their numbers on top of each other)."""
        label = self.scene().addSimpleText(text)
        label.setBrush(style.MUTED)
        size = label.boundingRect().size()
        box = QRectF(at.x() + 5, at.y() - size.height() / 2, size.width(), size.height())
        for step in (0, 1, -1, 2, -2, 3, -3, 4, -4):
            moved = box.translated(0, step * (size.height() + 2))
            if not any(moved.intersects(r) for r in self._taken):
                box = moved
                break
        self._taken.append(box)
        patch = self.scene().addRect(box.adjusted(-2, 0, 2, 0), QPen(Qt.PenStyle.NoPen), QBrush(QColor("white")))
        patch.setZValue(4)
        label.setPos(box.topLeft())
        label.setZValue(5)

    def _arrow(self, tip: QPointF, angle: float, colour: QColor, width: float) -> None:
        size = 6 + width
        back = QPointF(-math.cos(angle) * size, math.sin(angle) * size)
        side = QPointF(-math.sin(angle) * size / 2, -math.cos(angle) * size / 2)
        self.scene().addPolygon(QPolygonF([tip, tip + back + side, tip + back - side]), QPen(colour),
                                QBrush(colour))
