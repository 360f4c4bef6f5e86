"""The ``nnviz`` command run in-process, as the command-line tests run it."""

from __future__ import annotations

from click.testing import CliRunner

from nnviz.cli import cli

__all__ = ["invoke"]


def invoke(*args: str) -> tuple[int, str, str]:
    """Run ``nnviz ARGS`` and return its exit code, stdout and stderr; fail the test on a
    traceback (any exception but the exit)."""
    result = CliRunner().invoke(cli, list(args))
    assert not isinstance(result.exception, Exception) or isinstance(
        result.exception, SystemExit
    ), result.exception
    return result.exit_code, result.stdout, result.stderr
