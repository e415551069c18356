"""tasklens.analyzer: find task types, routines and RPA candidates in masked event data.

Entry points: `pipeline.analyze(events) -> Analysis` and `outputs.write_all(analysis, out_dir)`;
`loaders.load(path)` reads stores and imports (tasklens CSV, Action Logger CSV, XES).
"""
