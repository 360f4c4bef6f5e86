"""The run cache: train a configuration on first use, load it from ``media/runs/`` afterwards."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from nnviz.atomic_files import remove_stale_temporaries
from nnviz.config import EXTERNAL, RunConfig
from nnviz.run import Run, RunFileError
from nnviz.run_file import load_run, save_run

if TYPE_CHECKING:
    from nnviz.train import ProgressCallback

__all__ = ["DEFAULT_RUNS_DIR", "cached_run", "run_path", "runs_dir_default"]

#: Where cached runs live, relative to the working directory (the repository root for scenes).
#: The environment variable ``NNVIZ_RUNS_DIR`` overrides it.
DEFAULT_RUNS_DIR = Path("media") / "runs"

Reporter = Callable[[str], None]


def _stderr(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def runs_dir_default() -> Path:
    """Return ``NNVIZ_RUNS_DIR`` if it is set, else :data:`DEFAULT_RUNS_DIR`."""
    return Path(os.environ.get("NNVIZ_RUNS_DIR") or DEFAULT_RUNS_DIR)


def run_path(config: RunConfig, runs_dir: str | os.PathLike[str] | None = None) -> Path:
    """Return the cache file of ``config``: ``<runs_dir>/<config.key()>.npz``."""
    return Path(runs_dir if runs_dir is not None else runs_dir_default()) / f"{config.key()}.npz"


def cached_run(
    config: RunConfig,
    runs_dir: str | os.PathLike[str] | None = None,
    report: Reporter = _stderr,
    progress: ProgressCallback | None = None,
    force: bool = False,
) -> Run:
    """Return the run of ``config``, training and caching it when it is not cached yet.

    ``runs_dir`` defaults to :func:`runs_dir_default`.

    A cached file that cannot be read (damaged, older schema) is reported and replaced by a
    fresh training; the replacement is written atomically. Torch is imported only when a run
    has to be trained. A run of the user's own loop (dataset ``external``) is refused with
    :class:`ValueError`: only its run file holds it. ``progress`` is passed to
    :func:`nnviz.train.train`; ``force`` retrains even when a readable cached run exists.
    Temporary files that killed writes left in the cache folder are removed once they are
    stale.
    """
    if config.dataset == EXTERNAL:
        raise ValueError(
            "a run of your own training loop renders from its run file (nnviz render --run "
            "FILE, or run_file = FILE in a scene); nnviz cannot train it again"
        )
    path = run_path(config, runs_dir)
    remove_stale_temporaries(path.parent)
    if path.exists() and not force:
        try:
            run = load_run(path)
        except RunFileError as error:
            report(f"nnviz: cached run unreadable, retraining: {error}")
        else:
            if run.config == config:
                return run
            report(f"nnviz: cached run {path} holds another configuration, retraining")
    from nnviz.train import train

    report(f"nnviz: training {config.dataset} {config.label()} (cached in {path})")
    run = train(config, progress=progress)
    save_run(run, path)
    return run
