"""The engines that analyse a merged dataset, chosen by name in one place (`tasklens analyze --engine`).

Each has the shape of `datasetrun.Engine` and gives the same result; an engine whose extra is not
installed is one line that says how to install it, not an ImportError.
"""

from __future__ import annotations

from functools import partial

from tasklens.analyzer.datasetrun import Engine
from tasklens.errors import UsageError

ENGINES = ("embedded", "spark")


def engine_for(name: str, spark_master: str | None = None, spark_data: str | None = None) -> Engine:
    """The engine called `name`: embedded (this machine, bounded memory) or spark (pyspark, `tasklens[spark]`:
    on `spark_master`, default spark-submit's or local; the executors read the dataset's files at
    `spark_data`, an hdfs:// or s3a:// copy of the folder, default the folder itself)."""
    if name == "embedded":
        from tasklens.analyzer.stream import analyze_dataset
        return analyze_dataset
    if name == "spark":
        try:
            import pyspark  # noqa: F401  (only whether it is there)
        except ImportError:
            raise UsageError("--engine spark needs pyspark: pip install 'tasklens[spark]' (and Java 17 or newer)") from None
        from tasklens.analyzer.spark_engine import analyze_spark
        return partial(analyze_spark, master=spark_master, source=spark_data)
    raise UsageError(f"no engine {name!r}: choose one of {', '.join(ENGINES)}")
