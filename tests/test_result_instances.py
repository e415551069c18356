"""The result's instance table: read like the list of `Instance`s it stands for, and equal to it."""

from __future__ import annotations

import json
from array import array

import numpy as np
import pytest

from tasklens.analyzer.pipeline import column, instance_table, typed
from tasklens.analyzer.result import AnalysisResult, Instance, InstanceTable


def _table() -> tuple[InstanceTable, list[Instance]]:
    table = instance_table(["ann", "bob"], np.array([0, 1, 1]), np.array([1.5, 2.0, 9.25]), np.array([3.0, 2.5, 12.0]),
                           np.array([0, 2, 1]), np.array([4, 1, 7]))
    return typed(table, np.array([0, 1, 0])), [Instance(0, "ann", 1.5, 3.0, 0, 0, 4), Instance(1, "bob", 2.0, 2.5, 0, 2, 1),
                                               Instance(2, "bob", 9.25, 12.0, 1, 1, 7)]


def test_reads_as_the_instances_it_holds() -> None:
    table, instances = _table()
    assert len(table) == 3 and list(table) == instances
    assert table[1] == instances[1] and table[-1] == instances[-1] and table[1:] == instances[1:]
    assert table == instances and instances == table and table != instances[:2] and table != "abc"
    assert table[2].seconds == 2.75 and column(table, "task_type").tolist() == [0, 0, 1]
    with pytest.raises(IndexError):
        table[3]


def test_columns_of_other_lengths_or_types_are_refused() -> None:
    with pytest.raises(ValueError):
        InstanceTable(["ann"], user=array("i", [0]), start=array("d", [1.0]), end=array("d", [2.0]),
                      task_type=array("i", [0]), variant=array("i", [0]), events=array("i", [1, 2]))
    with pytest.raises(ValueError):
        InstanceTable(["ann"], user=array("i", [0]), start=array("i", [1]), end=array("d", [2.0]),
                      task_type=array("i", [0]), variant=array("i", [0]), events=array("i", [1]))


def test_a_report_with_a_table_reads_back_equal() -> None:
    table, instances = _table()
    result = AnalysisResult(instances=table)
    back = AnalysisResult.from_json(result.to_json())
    assert back.instances == instances and back == result
    assert AnalysisResult.from_json(json.loads(result.dumps())) == result
