# tasklens: `make demo` and `make test` each install what they need (apt packages, a virtual
# environment, the package) on a fresh Debian machine, run as root.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
PYTHON ?= python3
APT_TEST := xvfb xauth xdotool openbox xterm x11-utils x11-xserver-utils binutils trayer poppler-utils \
	libxcb-icccm4 libxcb-keysyms1 libxcb-cursor0 libxcb-image0 libxcb-render-util0 libxcb-randr0 \
	libxcb-shape0 libxcb-xkb1 libxkbcommon-x11-0 libx11-xcb1 libegl1 libgl1 libfontconfig1 libdbus-1-3 \
	gnome-keyring dbus-daemon dbus-bin
# tasklens analyze --engine spark: Spark runs on Java 17
APT_SPARK := openjdk-17-jre-headless
# UI elements (AT-SPI) end to end: the accessibility bus, GTK 3 test applications, Chromium
APT_A11Y := at-spi2-core libatk-adaptor dbus-x11 dbus-daemon gtk-3-examples python3-gi gir1.2-gtk-3.0 chromium

.PHONY: demo test test-fast check bench accuracy venv apt-test build clean

venv: $(STAMP)

$(STAMP): pyproject.toml
	@$(PYTHON) -m venv --help >/dev/null 2>&1 || bash .ci/apt.sh python3-venv
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev,spark]'
	touch $(STAMP)

apt-test:
	bash .ci/apt.sh $(APT_TEST) $(APT_A11Y) $(APT_SPARK)

demo: venv
	$(VENV)/bin/tasklens demo --out demo-out

test: apt-test venv check
	$(PY) -m pytest -q -ra

# ruff and mypy --strict on the whole package (see .ci/check.sh for how mypy finds tasklens.analyzer in analyzer/)
check: venv
	VENV=$(VENV) bash .ci/check.sh

test-fast: venv
	$(PY) -m pytest -q -ra -m "not slow and not display"

bench: venv
	$(PY) bench/store.py

# analysis accuracy on research logs and independently generated families (ARGS=--quick: 3 seeds)
accuracy: venv
	$(PY) bench/accuracy.py $(ARGS)

build: venv
	bash .ci/apt.sh binutils
	bash installer/build.sh dist

clean:
	rm -rf $(VENV) build dist demo-out *.egg-info
