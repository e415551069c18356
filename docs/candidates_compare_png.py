"""Usage: .venv/bin/python docs/candidates_compare_png.py ROOT docs/screenshots (ROOT made by two_periods.py).

Render the RPA candidates tab (the analyst's build hours set, marked automated) on the October analysis
and the Compare tab (November against October) in the full dashboard, offscreen, 1280x800."""
import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
from PySide6.QtWidgets import QFileDialog

from tasklens.gui.app import application
from tasklens.gui.dashboard import PAGES, Dashboard

root, out = Path(sys.argv[1]), Path(sys.argv[2])
app = application()
october, november = root / "analysis-october", root / "analysis-november"
w = Dashboard()
w.resize(1280, 800)
w.show()
w.open_analysis(october)
w.tabs.setCurrentIndex(PAGES.index("candidates"))
page = w.pages["candidates"]
target = next(c for c in w.view.candidates() if c.name.startswith("Vendor invoice entry"))
page.table.select_key(target.id)
page.hours.setValue(80)
page._effort(page.hours.value())          # what "Set build hours" does
page._automated(True)                     # what "Mark automated" does
app.processEvents()
w.grab().save(str(out / "candidates-effort.png"))
w.open_analysis(november)
w.tabs.setCurrentIndex(PAGES.index("compare"))
QFileDialog.getExistingDirectory = staticmethod(lambda *a, **k: str(october))
w.pages["compare"].choose()
app.processEvents()
w.grab().save(str(out / "compare.png"))
print(w.pages["compare"].heading.text())
print(w.pages["compare"].savings.text())
