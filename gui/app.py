"""The one QApplication of a tasklens GUI process, named and styled."""

from __future__ import annotations

import sys

from PySide6.QtWidgets import QApplication


def application() -> QApplication:
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("tasklens")
    app.setOrganizationName("tasklens")
    return app   # type: ignore[return-value]
