"""tasklens: privacy-first desktop task mining.

The root package holds what every part shares: the event model (`tasklens.events`), the encrypted
store (`tasklens.store`), configuration (`tasklens.config`) and the one exception hierarchy
(`tasklens.errors`). Parts live in sub-packages one floor up: privacy, collector, analyzer, gui, cli.
"""

__version__ = "0.1.0"
