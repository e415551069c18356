"""The `tasklens` command: the front door, which imports each part lazily inside its command."""
