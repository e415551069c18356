"""The dashboard's exports to a place that cannot take the file: a message to the analyst, nothing left behind."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from helpers import make_events

from tasklens.analyzer.outputs import write_all
from tasklens.analyzer.pipeline import analyze


@pytest.mark.parametrize("what", ["HTML report", "CSV", "XES"])
def test_export_onto_a_folder_warns_and_leaves_nothing(qtbot, tmp_path: Path, monkeypatch, what: str) -> None:
    from PySide6.QtGui import QAction
    from PySide6.QtWidgets import QFileDialog, QMessageBox

    from tasklens.gui.dashboard import Dashboard

    folder = tmp_path / "analysis"
    write_all(analyze(make_events(200)), folder)
    taken = tmp_path / "taken.csv"
    taken.mkdir()
    warnings: list[str] = []
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: (str(taken), "")))
    monkeypatch.setattr(QMessageBox, "warning", staticmethod(lambda _parent, _title, text: warnings.append(text)))
    window = Dashboard()
    qtbot.addWidget(window)
    window.open_analysis(folder)
    next(a for a in window.findChildren(QAction) if a.text().startswith(what)).trigger()
    assert len(warnings) == 1 and "is a folder" in warnings[0]
    assert list(taken.iterdir()) == [] and not list(tmp_path.glob(".*.part"))
    assert "written" not in window.statusBar().currentMessage()
