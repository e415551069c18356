"""Entry point of the PyInstaller bundle: the same `tasklens` command as the pip install."""

import multiprocessing
import sys

from tasklens.cli.main import main

if __name__ == "__main__":
    multiprocessing.freeze_support()   # worker processes of a frozen program re-enter here
    sys.exit(main())
