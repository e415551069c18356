"""Where tasklens keeps things by default (platformdirs), each overridable from the CLI or env."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP = "tasklens"


def data_dir() -> Path:
    """$TASKLENS_HOME, else the platform's user data folder."""
    if env := os.environ.get("TASKLENS_HOME"):
        return Path(env)
    return Path(platformdirs.user_data_dir(APP, appauthor=False))


def default_store() -> Path:
    return data_dir() / "events.db"


def user_config_file() -> Path:
    if env := os.environ.get("TASKLENS_CONFIG"):
        return Path(env)
    return Path(platformdirs.user_config_dir(APP, appauthor=False)) / "config.toml"

