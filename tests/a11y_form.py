"""A tiny GTK 3 form for the element tests, run by Debian's /usr/bin/python3 (python3-gi, gir1.2-gtk-3.0):

    python3 a11y_form.py TITLE EXTRA_BUTTON_LABEL

A "Vendor" field, a "PIN" password field, a "Post invoice" button and a button labelled as asked
(the tests put a canary in it), in a fixed layout at the window's top left.
"""

import sys

import gi

gi.require_version("Gtk", "3.0")
from gi.repository import Gtk  # noqa: E402

title, extra = sys.argv[1], sys.argv[2]
win = Gtk.Window(title=title)
win.set_default_size(420, 220)
win.move(0, 0)
grid = Gtk.Grid(row_spacing=8, column_spacing=8, margin=12)
win.add(grid)
for row, (label, secret) in enumerate((("_Vendor", False), ("_PIN", True))):
    entry = Gtk.Entry(visibility=not secret, width_chars=24)
    caption = Gtk.Label.new_with_mnemonic(label)
    caption.set_mnemonic_widget(entry)   # the entry's accessible name comes from its label
    grid.attach(caption, 0, row, 1, 1)
    grid.attach(entry, 1, row, 1, 1)
grid.attach(Gtk.Button(label="Post invoice"), 1, 2, 1, 1)
grid.attach(Gtk.Button(label=extra), 1, 3, 1, 1)
win.connect("destroy", Gtk.main_quit)
win.show_all()
Gtk.main()
