"""CLI conventions a user expects: options anywhere, `tasklens help`, quiet closed pipes, progress off a terminal."""

from __future__ import annotations

import io
import os
import subprocess
from pathlib import Path

import pytest
from helpers import TASKLENS

from tasklens.analyzer.progress import Bar
from tasklens.cli.main import build_parser, main


@pytest.mark.parametrize("argv, verbose", [
    (["store", "info"], 0),
    (["-v", "store", "info"], 1),
    (["store", "info", "-v"], 1),
    (["store", "info", "-vv"], 2),
    (["consent", "show", "--verbose"], 1),
])
def test_global_options_before_or_after_the_command(argv: list[str], verbose: int) -> None:
    args = build_parser().parse_args(argv)
    assert args.verbose == verbose


def test_config_after_the_command_is_taken(tmp_path: Path) -> None:
    args = build_parser().parse_args(["store", "show", "--config", str(tmp_path / "c.toml")])
    assert args.config == tmp_path / "c.toml"
    assert build_parser().parse_args(["--config", "a.toml", "store", "info"]).config == Path("a.toml")


@pytest.mark.parametrize("topic, expect", [
    ([], "COMMAND"),
    (["store"], "ACTION"),
    (["store", "show"], "--tail"),
    (["analyze"], "examples:"),
])
def test_help_command_shows_the_same_help(topic: list[str], expect: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["help", *topic]) == 0
    assert expect in capsys.readouterr().out


def test_help_for_an_unknown_command_is_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["help", "frobnicate"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "frobnicate" in err and "tasklens help" in err


def test_every_command_help_has_an_example() -> None:
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    for name, p in sub.choices.items():  # type: ignore[union-attr]
        assert "examples:" in p.format_help(), name


def test_a_pipe_closed_early_ends_quietly() -> None:
    proc = subprocess.Popen([*TASKLENS, "help", "store", "show"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()
    err = proc.stderr.read().decode()
    assert proc.wait() == 0
    assert "Traceback" not in err and "BrokenPipe" not in err


def test_progress_off_a_terminal_prints_lines_with_counts_and_time() -> None:
    out = io.StringIO()
    bar = Bar(stream=out, every=0.0)
    for done in range(1, 5):
        bar("segmentation", done, 4)
    bar("routines", 1, 1)
    bar.close()
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("tasklens: segmentation: 1/4 (25 %)") and "elapsed" in lines[0] and "left" in lines[0]
    assert any(line.startswith("tasklens: routines: 1/1") for line in lines)
    quiet = io.StringIO()
    Bar(enabled=False, stream=quiet)("segmentation", 1, 2)
    assert quiet.getvalue() == ""


def test_module_entry_point_runs() -> None:
    env = {**os.environ}
    out = subprocess.run([*TASKLENS, "--version"], capture_output=True, text=True, env=env, check=True)
    assert out.stdout.startswith("tasklens ")


@pytest.mark.parametrize("words, expect", [
    (["tasklens", "st"], {"status", "store"}),
    (["tasklens", "store", "sh"], {"show"}),
    (["tasklens", "con"], {"config", "consent"}),
])
def test_bash_completion_completes_commands(tmp_path: Path, words: list[str], expect: set[str]) -> None:
    script = tmp_path / "tasklens.bash"
    script.write_text(subprocess.run([*TASKLENS, "completion", "bash"], capture_output=True, text=True,
                                     check=True).stdout)
    line = " ".join(words)
    probe = (f"source {script}; COMP_WORDS=({line}); COMP_CWORD={len(words) - 1}; COMP_LINE='{line}'; "
             f"COMP_POINT={len(line)}; _shtab_tasklens; printf '%s\\n' \"${{COMPREPLY[@]}}\"")
    out = subprocess.run(["bash", "-c", probe], capture_output=True, text=True, check=True).stdout
    assert set(out.split()) == expect


def test_zsh_completion_is_a_compdef() -> None:
    out = subprocess.run([*TASKLENS, "completion", "zsh"], capture_output=True, text=True, check=True).stdout
    assert out.startswith("#compdef tasklens") and "delete-my-data" in out


def test_analyze_json_and_quiet(tmp_path: Path) -> None:
    import json

    from helpers import run_cli

    log = tmp_path / "in.csv"
    log.write_text("timestamp,user,app,title,action,target\n" + "".join(
        f"2026-11-02T09:{m:02d}:{s:02d}Z,u1,crm,Case,click,{step}\n"
        for m in range(30) for s, step in ((0, "Open"), (10, "Edit"), (20, "Save"))))
    out = run_cli("analyze", str(log), "--out", str(tmp_path / "a"), "--json")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["summary"]["events"] == 90 and data["files"]["report.json"].endswith("report.json")
    assert all(isinstance(c["instances"], int) for c in data["candidates"])
    assert "tasklens: writing outputs: 1/1" in out.stderr   # progress off a terminal: one line per stage
    quiet = run_cli("analyze", str(log), "--out", str(tmp_path / "b"), "--quiet")
    assert quiet.returncode == 0 and quiet.stdout == "" and "tasklens: " not in quiet.stderr
