"""The ``nnviz`` command line: train, sweep, inspect and render runs."""

from __future__ import annotations

import functools
import signal
import sys
from collections.abc import Callable, Collection, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import click
from click.core import ParameterSource

from nnviz.activations import ACTIVATIONS, parse_activation
from nnviz.atomic_files import check_writable_target
from nnviz.cache import cached_run, run_path, runs_dir_default
from nnviz.config import (
    BLOG_LEARNING_RATES,
    EXTERNAL,
    INITS,
    MAX_EPOCHS,
    MAX_HIDDEN_LAYERS,
    MAX_LAYER_WIDTH,
    MAX_SAMPLES,
    MAX_SEED,
    MAX_TEST_FRACTION,
    OPTIMIZERS,
    ConfigError,
    RunConfig,
)
from nnviz.data import DATASET_SPECS, DATASETS
from nnviz.errors import RenderError
from nnviz.figure_grid import (
    DEFAULT_FIGURE_WIDTH,
    FIGURE_WIDTH_LIMITS,
    MAX_FIGURE_EPOCHS,
    parse_figure_epochs,
)
from nnviz.figure_grid import figure_epochs as figure_epochs_of
from nnviz.files import FileRefusedError, check_regular_file
from nnviz.heads import HEADS, MAX_CLASSES
from nnviz.layouts import LAYOUT_SPECS
from nnviz.run import Run, RunFileError
from nnviz.run_file import load_run, save_run
from nnviz.terminal import printable
from nnviz.theme import THEMES
from nnviz.view import AXIS_SCALES

if TYPE_CHECKING:
    from nnviz.run_videos import VideoSettings

#: The options of ``nnviz render`` that say how to render, not which run: the only ones
#: ``--run FILE`` takes (the others describe a run, and the file holds it).
_RENDER_ONLY: frozenset[str] = frozenset(
    {
        "quality",
        "output_format",
        "layout",
        "run_file",
        "landscape",
        "draw_points",
        "jobs",
        "axis_scales",
        "duration",
        "seconds_per_epoch",
        "still",
        "theme",
        "out",
        "point_loss",
        "trails",
        "discretize",
        "burn_subtitles",
    }
)

#: The settings of nnviz's own training, which a run of your own loop never used: ``inspect``
#: shows "(your own loop)" for them.
_NOT_YOUR_LOOPS: frozenset[str] = frozenset(
    {"seed", "lr", "batch_size", "target_loss", "init", "adam_epsilon", "weight_decay", "l1"}
)


#: The built-in data sets that draw more than two classes (``--classes``).
_MANY_CLASS_DATASETS: tuple[str, ...] = tuple(
    name for name, spec in DATASET_SPECS.items() if spec.classes[1] > 2
)

#: The themes of ``nnviz render --theme``.
THEME_NAMES: tuple[str, ...] = tuple(THEMES)

#: The most processes ``--jobs`` starts.
MAX_JOBS = 64

__all__ = ["cli", "main"]


class _OneLineErrors(click.Group):
    """A click group whose every failure is one line on stderr and a non-zero exit."""

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        try:
            result = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except click.exceptions.NoArgsIsHelpError as error:  # bare ``nnviz``: the help, no prefix
            _fail(error.format_message(), 2, escape=False)
        except click.UsageError as error:
            where = error.ctx.command_path if error.ctx is not None else "nnviz"
            _fail(f"{where}: {error.format_message()} (see '{where} --help')", 2)
        except click.ClickException as error:
            _fail(f"nnviz: {error.format_message()}", error.exit_code)
        except ConfigError as error:
            _fail(f"nnviz: {_with_flag_name(error)}", 1)
        except (RunFileError, RenderError) as error:
            _fail(f"nnviz: {error}", 1)
        except OSError as error:
            _fail(
                f"nnviz: {error.filename or ''}: {error.strerror or error}".replace(": :", ":"), 1
            )
        except (click.Abort, KeyboardInterrupt):
            _fail("nnviz: interrupted", 130)
        except Terminated:
            _fail("nnviz: terminated", 128 + signal.SIGTERM)
        if not standalone_mode:
            return result
        sys.exit(result if isinstance(result, int) else 0)


class Terminated(BaseException):
    """Raised on SIGTERM so that cleanup runs (temporary files removed) before the exit."""


def _terminate(signum: int, frame: object) -> NoReturn:
    raise Terminated


def _fail(message: str, code: int, *, escape: bool = True) -> NoReturn:
    """Print ``message`` on stderr, its control characters escaped unless ``escape`` is
    false (nnviz's own help), and exit with ``code``."""
    click.echo(printable(message) if escape else message, err=True)
    sys.exit(code)


#: The command-line flag of each RunConfig field whose flag is not ``--<field>``.
_FLAGS: dict[str, str] = {"max_epochs": "--epochs"}


def _with_flag_name(error: ConfigError) -> str:
    """The message of ``error`` with the field's flag (``--epochs``) instead of its name."""
    message = str(error)
    if error.field is not None and message.startswith(error.field):
        flag = _FLAGS.get(error.field, "--" + error.field.replace("_", "-"))
        message = flag + message[len(error.field) :]
    return message


def _stderr_is_tty() -> bool:
    return sys.stderr.isatty()


@contextmanager
def _training_progress(total: int) -> Iterator[Callable[[int, float], None]]:
    """A progress bar on stderr over ``total`` epochs, shown when stderr is a terminal (so a
    script's stderr keeps one line per message); yields the callback that advances it."""
    hidden = not _stderr_is_tty()
    with click.progressbar(length=total, label="training", file=sys.stderr, hidden=hidden) as bar:
        done = 0

        def advance(epoch: int, loss: float) -> None:
            nonlocal done
            bar.update(epoch - done)
            done = epoch

        yield advance


def _run_of(config: RunConfig, report: Callable[[str], None]) -> Run:
    """Return ``config``'s run from the cache, trained first (with a progress bar) when it is
    not there yet."""
    if run_path(config).is_file():
        return cached_run(config, report=report)
    with _training_progress(config.max_epochs) as progress:
        return cached_run(config, progress=progress, report=report)


def _output_options(default_quality: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Add ``-q/--quality`` (``default_quality`` unless given) and ``--format``, the options
    of every command that renders."""

    def add(function: Callable[..., Any]) -> Callable[..., Any]:
        function = click.option(
            "--format",
            "output_format",
            type=click.Choice(["mp4", "gif"]),
            default="mp4",
            show_default=True,
            help="gif: at most 720 px wide and 30 fps, with its own palette.",
        )(function)
        return click.option(
            "-q",
            "--quality",
            type=click.Choice(["l", "m", "h", "k"]),
            default=default_quality,
            show_default=True,
            help="Manim's quality: -ql 480p15, -qm 720p30, -qh 1080p60, -qk 2160p60.",
        )(function)

    return add


def _jobs_option(function: Callable[..., Any]) -> Callable[..., Any]:
    """Add ``--jobs N``: the processes a render uses."""
    from nnviz.parallel import default_jobs

    return click.option(
        "--jobs",
        "-j",
        type=click.IntRange(1, MAX_JOBS),
        default=default_jobs(),
        show_default="the cores when there are more than 2, else 1",
        help="Processes that render at once: the video is split between them by its "
        "animations and joined without encoding again (the same frames as one process).",
    )(function)


def _run_options(function: Callable[..., Any]) -> Callable[..., Any]:
    """Add the options shared by every command that describes a run."""
    return _run_options_with("--epochs")(function)


def _run_options_with(epochs_flag: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """The options of :func:`_run_options`, the run's length named ``epochs_flag``
    (``nnviz figure`` takes ``--epochs`` for the epochs it shows, and ``--max-epochs``)."""
    return functools.partial(_add_run_options, epochs_flag=epochs_flag)


def _add_run_options(function: Callable[..., Any], epochs_flag: str) -> Callable[..., Any]:
    options = [
        click.option(
            "--dataset",
            type=click.Choice(DATASETS),
            default="seed",
            show_default=True,
            help="Toy dataset.",
        ),
        click.option(
            "--data",
            "data_path",
            type=str,
            default=None,
            metavar="PATH.csv",
            help="Your own data instead of --dataset: a CSV file of two numeric feature "
            f"columns, then a label column of 2 to {MAX_CLASSES} classes; a header row is "
            "optional.",
        ),
        click.option(
            "--classes",
            type=int,
            default=None,
            help=f"Number of classes of --dataset {' or '.join(_MANY_CLASS_DATASETS)}, 2 to "
            f"{MAX_CLASSES} [default: 2]; a CSV file's labels give its own.",
        ),
        click.option(
            "--output",
            type=click.Choice(tuple(HEADS)),
            default=None,
            help="Output layer: sigmoid (one unit, two classes only) or softmax (one unit per "
            "class) [default: sigmoid for two classes, softmax for more].",
        ),
        click.option(
            "--samples",
            type=int,
            default=400,
            show_default=True,
            help=f"Number of samples (equal classes), 2 to {MAX_SAMPLES}.",
        ),
        click.option(
            "--noise",
            type=float,
            default=None,
            help="Dataset noise; default depends on the dataset (0.5 for seed).",
        ),
        click.option(
            "--seed",
            type=int,
            default=0,
            show_default=True,
            help=f"Seed of the initial weights and the batch order, 0 to {MAX_SEED}.",
        ),
        click.option(
            "--data-seed",
            type=int,
            default=None,
            help="Seed of the data [default: the dataset's own; 12345, the post's, for seed].",
        ),
        click.option(
            "--init",
            type=click.Choice(INITS),
            default="glorot",
            show_default=True,
            help="Initial weights: glorot (Keras, as in the post; zero biases) or torch.",
        ),
        click.option(
            "--hidden",
            type=LayerWidths(),
            default="2",
            show_default=True,
            help=f"Hidden layer widths: 3 (one layer) or 4,4,2 (layers); 1 to "
            f"{MAX_HIDDEN_LAYERS} layers of 1 to {MAX_LAYER_WIDTH} units.",
        ),
        click.option(
            epochs_flag,
            "max_epochs",
            type=int,
            default=200,
            show_default=True,
            help=f"Maximum number of epochs, 1 to {MAX_EPOCHS}.",
        ),
        click.option(
            "--target-loss",
            type=float,
            default=None,
            help="Stop once the whole-data loss, evaluated before each epoch, is at most this "
            "[default: 0.263, the post's rule, for its own data (--dataset seed); none for "
            "other data, which train every epoch up to --epochs].",
        ),
        click.option(
            "--batch-size", type=int, default=32, show_default=True, help="Mini-batch size."
        ),
        click.option("--full-batch", is_flag=True, help="Train on the whole data set per step."),
        click.option(
            "--test-fraction",
            type=float,
            default=0.0,
            show_default=True,
            help=f"Share of each class held out as a test set (drawn hollow), 0 to "
            f"{MAX_TEST_FRACTION:g}.",
        ),
        click.option(
            "--optimizer",
            type=click.Choice(OPTIMIZERS),
            default="adam",
            show_default=True,
            help="torch's optimizer: adam (as in the post), sgd, momentum (SGD, momentum 0.9), "
            "rmsprop.",
        ),
        click.option(
            "--weight-decay",
            type=float,
            default=0.0,
            show_default=True,
            help="L2 penalty: the optimizer's weight decay.",
        ),
        click.option(
            "--standardize/--no-standardize",
            default=None,
            help="Train on inputs scaled to mean 0 and variance 1, the weights logged in the "
            "data's own units [default: on for --data, off for the built-in data sets].",
        ),
        click.option(
            "--l1",
            type=float,
            default=0.0,
            show_default=True,
            help="L1 penalty on the weights (not the biases), added to the loss.",
        ),
    ]
    for option in reversed(options):
        function = option(function)
    return function


def _network_options(function: Callable[..., Any]) -> Callable[..., Any]:
    """Add --activation and --lr, the two settings the blog varies."""
    function = click.option(
        "--lr", type=float, default=0.01, show_default=True, help="Learning rate."
    )(function)
    return click.option(
        "--activation",
        type=LayerActivations(),
        default="relu",
        show_default=True,
        help=f"Hidden activation for every layer, or one per layer (relu,tanh,tanh): "
        f"{', '.join(ACTIVATIONS)}. leaky_relu has negative slope 0.1; another follows a colon: "
        "leaky_relu:0.01 is PyTorch's nn.LeakyReLU().",
    )(function)


class StillEpoch(click.ParamType):
    """``37``, ``37.5`` or ``final``: the epoch a still shows."""

    name = "epoch|final"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, float) or value == "final":
            return value
        text = str(value).strip().lower()
        if text == "final":
            return text
        try:
            number = float(text)
        except ValueError:
            self.fail(f"{value!r} is not an epoch (a number) or 'final'", param, ctx)
        if number != number or number in (float("inf"), float("-inf")):
            self.fail(f"{value!r} is not an epoch (a number) or 'final'", param, ctx)
        return number


class LayerWidths(click.ParamType):
    """``3`` or ``4,4,2``: the width of each hidden layer."""

    name = "widths"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, tuple):
            return value
        parts = [part.strip() for part in str(value).split(",")]
        try:
            return tuple(int(part) for part in parts)
        except ValueError:
            self.fail(f"{value!r} is not a width or a list of widths such as 4,4,2", param, ctx)


class LayerActivations(click.ParamType):
    """``tanh`` or ``relu,tanh,tanh``: one activation for every hidden layer, or one each."""

    name = "activation"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, tuple):
            return value
        names = tuple(part.strip() for part in str(value).split(","))
        for name in names:
            try:
                parse_activation(name)
            except ConfigError as error:
                message = str(error).replace("choose one of", "choose from")
                self.fail(message.removeprefix("activation "), param, ctx)
        return names[0] if len(names) == 1 else names


def _config(full_batch: bool, data_path: str | None = None, **values: Any) -> RunConfig:
    if full_batch:
        values["batch_size"] = None
    if values.get("standardize") is None:  # a file's units are its own; the toys' are ~1
        values["standardize"] = data_path is not None
    if values.get("classes") is None:  # two, or as many as the file's labels
        values.pop("classes", None)
    if data_path is None:
        return RunConfig(**values)
    from nnviz.csv_data import check_test_split, read_csv_data

    _refuse_built_in_data_options()
    data = read_csv_data(data_path)
    for name, _, _ in _BUILT_IN_DATA_OPTIONS:
        values.pop(name, None)
    config = RunConfig(**values, dataset="csv", data_file=data_path, data_hash=data.sha256,
                       samples=data.rows, feature_names=data.feature_names,
                       class_names=data.class_names,
                       classes=len(data.class_names))  # fmt: skip
    check_test_split(data, config.test_fraction, data_path)
    return config


#: Options that describe a built-in data set, which ``--data`` replaces, and what the CSV file
#: gives instead.
_BUILT_IN_DATA_OPTIONS: tuple[tuple[str, str, str], ...] = (
    ("dataset", "--dataset", "the points"),
    ("samples", "--samples", "the points"),
    ("noise", "--noise", "the points"),
    ("classes", "--classes", "the classes, one per distinct label"),
)


def _refuse_built_in_data_options() -> None:
    """``--data`` with ``--dataset``, ``--samples``, ``--noise`` or ``--classes``: one line
    (exit 2)."""
    from click.core import ParameterSource

    context = click.get_current_context()
    for name, flag, given in _BUILT_IN_DATA_OPTIONS:
        if context.get_parameter_source(name) not in (ParameterSource.DEFAULT, None):
            raise click.UsageError(
                f"--data and {flag} exclude each other: the CSV file gives {given}", context
            )


def _given_flags(
    context: click.Context,
    *,
    among: Collection[str] | None = None,
    exempt: Collection[str] = (),
) -> list[str]:
    """Return the flags (each by its first spelling) given on the command line rather than
    left at their defaults: those named in ``among``, or, without it, all but ``exempt``."""
    return [
        param.opts[0]
        for param in context.command.params
        if (param.name in among if among is not None else param.name not in exempt)
        and context.get_parameter_source(param.name or "") is not ParameterSource.DEFAULT
    ]


def _summary(run: Run) -> str:
    test = ""
    if run.test_loss is not None and run.test_accuracy is not None:
        test = f", test loss {run.test_loss[-1]:.4f}, test accuracy {run.test_accuracy[-1]:.1%}"
    return (
        f"{run.config.dataset} {run.config.label()}: {run.span_text()}, "
        f"loss {run.loss[0]:.4f} -> {run.loss[-1]:.4f}, accuracy {run.accuracy[-1]:.1%}"
        f"{test}, stopped: {run.describe_stop()}"
    )


@click.group(cls=_OneLineErrors, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="nnviz")
def cli() -> None:
    """Turn the training of a small neural network into explainer videos.

    Train a small network (the blog's 2-2-1 by default, or any of 1 to 3 hidden layers), log
    every epoch to a run file, and render Manim videos of the input plane and every hidden
    layer's space changing as the network learns.
    """


@cli.command()
@_network_options
@_run_options
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Run file to write: a regular file (replaced atomically) or a new path; symbolic "
    "links, devices and FIFOs are refused [default: the cache, media/runs/<key>.npz].",
)
def train(out: Path | None, **values: Any) -> None:
    """Train one run and write every epoch's weights to a run file (.npz)."""
    config = _config(**values)
    target = out if out is not None else run_path(config)
    check_writable_target(target)
    from nnviz.train import train as train_run

    with _training_progress(config.max_epochs) as progress:
        run = train_run(config, progress=progress)
    path = save_run(run, target)
    click.echo(f"{_summary(run)} -> {path}")


@cli.command()
@click.option(
    "--out",
    "runs_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Folder of the run files [default: media/runs, or $NNVIZ_RUNS_DIR].",
)
@click.option("--force", is_flag=True, help="Retrain runs that are already cached.")
@_run_options
def sweep(runs_dir: Path | None, force: bool, **values: Any) -> None:
    """Train the blog's six runs (relu, tanh x lr 0.1, 0.01, 0.001) and print a table."""
    runs_dir = runs_dir if runs_dir is not None else runs_dir_default()
    configs = [
        _config(activation=activation, lr=lr, **values)
        for activation in ("relu", "tanh")
        for lr in BLOG_LEARNING_RATES
    ]
    for config in configs:
        check_writable_target(run_path(config, runs_dir))
    runs: list[Run] = []
    total = sum(c.max_epochs for c in configs)
    with click.progressbar(length=total, label="training", file=sys.stderr) as bar:
        for config in configs:
            done = 0

            def advance(epoch: int, loss: float) -> None:
                nonlocal done
                bar.update(epoch - done)
                done = epoch

            runs.append(
                cached_run(config, runs_dir, report=lambda _: None, progress=advance, force=force)
            )
            bar.update(config.max_epochs - done)
    click.echo(_table(runs, runs_dir))


def _table(runs: Sequence[Run], runs_dir: Path) -> str:
    header = f"{'activation':<10} {'lr':>6} {'epochs':>6} {'loss':>7} {'accuracy':>8}  stop"
    lines = [header, "-" * len(header)]
    for run in runs:
        lines.append(
            f"{run.config.activation:<10} {run.config.lr:>6g} {run.epochs:>6d} "
            f"{run.loss[-1]:>7.4f} {run.accuracy[-1]:>8.1%}  {run.stop_reason}"
        )
    lines.append(f"run files in {runs_dir}/")
    return "\n".join(lines)


@cli.command()
@click.argument("run_file", type=click.Path(path_type=Path))
def inspect(run_file: Path) -> None:
    """Print a run file's configuration, epochs (or steps), losses and stop reason."""
    run = load_run(run_file)
    config = run.config
    rows: list[tuple[str, object]] = [("run file", run_file)]
    external = config.optimizer == EXTERNAL
    for key, value in config.to_dict().items():
        if external and key in ("noise", "data_seed"):
            continue  # the data came with the run; no recipe drew it
        if external and key == "max_epochs":
            continue  # the states it logged: the rows below say how many
        if external and key in _NOT_YOUR_LOOPS:
            rows.append((key, "(your own loop)"))  # never used: nnviz did not train it
            continue
        shown = "full" if key == "batch_size" and value is None else value
        if key in ("noise", "data_seed") and value is None:
            shown = "dataset default"
        if isinstance(value, (list, tuple)):  # as the command line takes it: 4,4,2
            shown = ",".join(map(str, value))
        if value is None and key in ("data_file", "data_hash", "feature_names", "class_names"):
            continue  # only CSV data and named data have them
        if key == "classes":
            continue  # shown beside the output
        rows.append((key, shown))
        if key == "output":  # the classes it tells apart, beside it
            rows.append(("classes", config.classes))
    rows.append((f"{run.unit}s run", run.last_count))
    if run.every > 1:
        rows.append(("logged every", f"{run.every} {run.unit}s ({run.epochs + 1} states)"))
    rows.append(("loss", f"{run.loss[0]:.4f} at start, {run.loss[-1]:.4f} at end"))
    rows.append(("accuracy", f"{run.accuracy[0]:.1%} at start, {run.accuracy[-1]:.1%} at end"))
    if run.test_loss is not None and run.test_accuracy is not None and run.test is not None:
        start, end = run.test_loss[[0, -1]]
        rows.append(("test points", int(run.test.sum())))
        rows.append(("test loss", f"{start:.4f} at start, {end:.4f} at end"))
        start, end = run.test_accuracy[[0, -1]]
        rows.append(("test accuracy", f"{start:.1%} at start, {end:.1%} at end"))
    rows.append(("stopped", f"{run.stop_reason}: {run.describe_stop()}"))
    width = max(len(name) for name, _ in rows)
    for name, shown in rows:  # names, hashes and paths from the file, escaped
        click.echo(f"{name:<{width}} {printable(shown)}")


@cli.command()
@_network_options
@click.option(
    "--seed-grid",
    is_flag=True,
    help="Render the blog's six runs (relu, tanh x lr 0.1, 0.01, 0.001) instead.",
)
@_output_options(default_quality="l")
@click.option(
    "--draw-points",
    type=int,
    default=None,
    help="Draw a seeded sample of this many points (needed above 2000 points; training and "
    "the loss use every point).",
)
@click.option(
    "--layout",
    type=click.Choice(list(LAYOUT_SPECS)),
    default="default",
    show_default=True,
    help="; ".join(f"{name}: {spec.shows}" for name, spec in LAYOUT_SPECS.items()) + ".",
)
@click.option(
    "--duration",
    type=float,
    default=None,
    metavar="SECONDS",
    help="Length of the whole video, 5 to 600 s, exact to a frame: the run's reveal, its "
    "training and the final hold (render shows no title card). The epochs are spread over "
    "it: a long run is sampled at the frame rate, a short one slowed down, the key moments "
    "keep their slow motion, and the epoch counter shows the fractional epoch of each "
    "frame. [default: 0.08 s an epoch, the video at most 30 s]",
)
@click.option(
    "--seconds-per-epoch",
    type=float,
    default=None,
    metavar="S",
    help="Seconds of video per epoch instead, 0.001 to 10 (key moments three times slower), "
    "however long the video gets (at most 600 s of training). Excludes --duration.",
)
@click.option(
    "--still",
    type=StillEpoch(),
    default=None,
    help="Write a PNG of the run at this epoch (0 to its last; a fraction shows the network "
    "between two logged epochs) or 'final', at --quality, instead of a video: the panels, "
    "the read-out and the loss curve up to that epoch.",
)
@click.option(
    "--theme",
    type=click.Choice(THEME_NAMES),
    default=None,
    help="Colours [default: $NNVIZ_THEME, else dark]; a theme other than dark is named in "
    "the file's name (relu_lr0.1_light.mp4).",
)
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    default=None,
    metavar="PATH",
    help="The file to write (.mp4, .gif, or .png with --still): a regular file (replaced "
    "atomically) or a new path; symbolic links, devices, FIFOs and folders are refused "
    "[default: under media/, printed].",
)
@click.option(
    "--axis-scales",
    type=click.Choice(AXIS_SCALES),
    default="auto",
    show_default=True,
    help="How the input plane scales its two axes. auto: one scale for both for a built-in "
    "data set (its axes share a unit), each axis its own range for --data FILE.csv or a run "
    "of your own loop (its columns may be in any units); equal or per-axis force either.",
)
@click.option(
    "--run",
    "run_file",
    type=click.Path(path_type=Path),
    multiple=True,
    help="Render this run file (nnviz train --out, nnviz.Recorder, another machine) instead "
    "of a run of the options; it is validated first, and the options that describe a run "
    "are refused with it. With --landscape, give it once for each run (up to four).",
)
@click.option(
    "--landscape",
    is_flag=True,
    help="Render the loss landscape instead: the --activation's runs at the blog's three "
    "learning rates (same data, same initial weights), or the --run files (one "
    "architecture), as paths on a 2-D slice of weight space beside each run's input plane.",
)
@click.option(
    "--point-loss",
    is_flag=True,
    help="Size each dot by its point's loss (cross-entropy) at the frame's epoch, in five "
    "steps a legend names, and ring the misclassified points, in every panel.",
)
@click.option(
    "--trails",
    is_flag=True,
    help="Draw short fading trails of the points' positions on the frames before, in every "
    "hidden layer's view, so that motion reads in a still.",
)
@click.option(
    "--discretize",
    is_flag=True,
    help="Paint the meshes in the classes' colours only, without shading by probability "
    "(TensorFlow Playground's 'discretize output').",
)
@click.option(
    "--burn-subtitles",
    is_flag=True,
    default=False,
    help="Draw the subtitles into the picture (ffmpeg with libass; the video is encoded "
    "again), for players and sites that ignore the .srt written beside the video; no .srt "
    "is left beside it. Works for --format gif too.",
)
@_jobs_option
@_run_options
def render(
    activation: str,
    lr: float,
    seed_grid: bool,
    quality: str,
    output_format: str,
    layout: str,
    draw_points: int | None,
    duration: float | None,
    seconds_per_epoch: float | None,
    still: float | str | None,
    theme: str | None,
    out: Path | None,
    axis_scales: str,
    run_file: tuple[Path, ...],
    landscape: bool,
    burn_subtitles: bool,
    jobs: int,
    point_loss: bool,
    trails: bool,
    discretize: bool,
    **values: Any,
) -> None:
    """Render one run's training and print the file's path.

    The default layout shows the input plane and each hidden layer's view; --layout blog
    shows the post's three panels. The run is trained and cached on first use, or read from
    --run FILE. Videos land under media/videos/ (GIFs in a folder named by their size, such
    as 720x404_10fps), stills under media/images/, or at --out. With --jobs N, N processes
    render parts of the video (--seed-grid: N runs at once). --axis-scales auto draws the
    input plane with one scale for both axes for a built-in data set and each axis on its
    own range for your own data. A video's subtitles (what happens when: the run, its key
    moments, its result) land beside it as an .srt, or in its picture with --burn-subtitles.
    --landscape renders the loss landscape of several runs.
    """
    from nnviz.render_checks import check_out, check_render, check_timing
    from nnviz.run_videos import MARKS, VideoSettings, render_run

    context = click.get_current_context()
    check_timing(duration, seconds_per_epoch)
    marks = tuple(
        name for name, on in zip(MARKS, (point_loss, trails, discretize), strict=True) if on
    )
    settings = VideoSettings(quality=quality, output_format=output_format, layout=layout,
                             draw_points=draw_points, axis_scales=axis_scales, theme=theme,
                             duration=duration, seconds_per_epoch=seconds_per_epoch,
                             jobs=jobs, marks=marks, burn_subtitles=burn_subtitles)  # fmt: skip
    if landscape:
        _render_landscape(context, activation, settings, out, run_file, values)
        return
    if len(run_file) > 1:
        raise click.UsageError("give one --run FILE (several only with --landscape)", context)
    run_file = run_file[:1]
    if still is not None and output_format != "mp4":
        raise click.UsageError("--still writes a PNG; drop --format", context)
    if seed_grid and (still is not None or out is not None):
        flag = "--still" if still is not None else "--out"
        raise click.UsageError(f"{flag} is of one run; --seed-grid renders six", context)
    kind = "png" if still is not None else output_format
    if out is not None:
        check_out(out, kind)
    if burn_subtitles:
        from nnviz.burn_in import burn_in_missing

        if still is not None:
            raise click.UsageError("--burn-subtitles is of a video; --still writes a PNG", context)
        reason = burn_in_missing()
        if reason is not None:
            raise click.ClickException(reason)

    def report(message: str) -> None:
        click.echo(message, err=True)

    if run_file:
        (one_file,) = run_file
        given = _given_flags(context, exempt=_RENDER_ONLY)
        if given:
            raise click.UsageError(
                f"--run renders the run its file holds; drop {', '.join(given)}", context
            )
        run = load_run(one_file)  # every check of the file, before any drawing
        check_render(run.config, output_format, layout=layout, draw_points=draw_points,
                     points=len(run.y))  # fmt: skip
        epoch = _checked_epochs(run, still, seconds_per_epoch)
        click.echo(f"rendering {printable(one_file)} ...", err=True)
        path = render_run(run.config, settings, report, run_file=one_file, still=epoch, out=out)
        click.echo(path)
        return

    pairs = (
        [(a, rate) for a in ("relu", "tanh") for rate in BLOG_LEARNING_RATES]
        if seed_grid
        else [(activation, lr)]
    )
    configs = [_config(activation=a, lr=rate, **values) for a, rate in pairs]
    for config in configs:  # everything that can be checked, before any training or drawing
        check_render(config, output_format, layout=layout, draw_points=draw_points)
        check_writable_target(run_path(config))
    epochs: list[float | None] = []
    for config in configs:
        run = _run_of(config, report)  # trained first, with progress; the scene then loads it
        epochs.append(_checked_epochs(run, still, seconds_per_epoch))
    if len(configs) > 1 and jobs > 1:  # whole runs at once, one process each
        from nnviz.run_videos import render_runs

        click.echo(f"rendering {len(configs)} runs, {jobs} at a time ...", err=True)
        for path in render_runs(configs, settings, report):
            click.echo(path)
        return
    for config, epoch in zip(configs, epochs, strict=True):
        click.echo(f"rendering {config.dataset} {config.label()} ...", err=True)
        path = render_run(config, settings, report, still=epoch, out=out)
        click.echo(path)


#: The options of ``nnviz render`` that ``--landscape`` has no use for.
_NOT_FOR_LANDSCAPES: tuple[str, ...] = (
    "lr", "seed_grid", "layout", "draw_points", "duration", "still", "axis_scales",
    "point_loss", "trails", "discretize", "burn_subtitles",
)  # fmt: skip


def _render_landscape(
    context: click.Context,
    activation: str,
    settings: VideoSettings,
    out: Path | None,
    run_files: tuple[Path, ...],
    values: dict[str, Any],
) -> None:
    """``nnviz render --landscape``: check everything (options, run files, one architecture)
    in one line each, train what is missing, render as ``settings`` say (their quality,
    format, theme, pace and jobs) and print the file's path."""
    from nnviz.landscape import MAX_RUNS, check_same_network
    from nnviz.render_checks import check_out, check_render
    from nnviz.run_videos import render_landscape

    output_format = settings.output_format

    unused = _given_flags(context, among=_NOT_FOR_LANDSCAPES)
    if unused:
        raise click.UsageError(f"--landscape takes no {', '.join(unused)}", context)
    if out is not None:
        check_out(out, output_format)

    def report(message: str) -> None:
        click.echo(message, err=True)

    rates = BLOG_LEARNING_RATES
    if run_files:
        described = _given_flags(context, exempt=_RENDER_ONLY)
        if described:
            raise click.UsageError(
                f"--run renders the runs their files hold; drop {', '.join(described)}", context
            )
        if len(run_files) > MAX_RUNS:
            raise click.UsageError(f"--landscape shows 1 to {MAX_RUNS} runs", context)
        runs = [load_run(path) for path in run_files]  # every check of every file first
        check_same_network(runs)  # one line for runs of different architectures
        for run in runs:
            check_render(run.config, output_format, points=len(run.y))
        config = runs[0].config
    else:
        configs = [_config(activation=activation, lr=rate, **values) for rate in rates]
        for config in configs:
            check_render(config, output_format)
            check_writable_target(run_path(config))
        runs = [_run_of(config, report) for config in configs]
        check_same_network(runs)
        config = configs[0]
    click.echo(f"rendering the loss landscape of {len(runs)} runs ...", err=True)
    path = render_landscape(config, rates, settings, report,
                            run_files=tuple(str(p) for p in run_files), out=out)  # fmt: skip
    click.echo(path)


def _checked_epochs(
    run: Run, still: float | str | None, seconds_per_epoch: float | None
) -> float | None:
    """Refuse a ``--still`` epoch the run does not have, or a ``--seconds-per-epoch`` that
    makes its video too long, in one line; return the still's epoch (``None``: a video)."""
    from nnviz.render_checks import check_video_length, still_epoch

    check_video_length(run.epochs, seconds_per_epoch)
    if still is None:
        return None
    try:
        return still_epoch(still, run.epochs)
    except ValueError as error:
        raise RenderError(str(error)) from None


class FigureEpochs(click.ParamType):
    """``0,10,50,final``: the epochs a figure shows, a row each, in this order."""

    name = "epochs"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, tuple):
            return value
        try:
            return parse_figure_epochs(str(value))
        except ValueError as error:
            self.fail(str(error), param, ctx)


#: The options of ``nnviz figure`` that say how to draw, not which run: the only ones
#: ``--run FILE`` takes.
_FIGURE_ONLY: frozenset[str] = frozenset(
    {"figure_epochs", "width", "out", "theme", "axis_scales", "draw_points", "run_file"}
)


@cli.command()
@_network_options
@click.option(
    "--epochs",
    "figure_epochs",
    type=FigureEpochs(),
    required=True,
    help=f"The epochs to show, a row each, top to bottom: whole numbers or 'final' (the "
    f"run's last), such as 0,10,50,final; 1 to {MAX_FIGURE_EPOCHS}. The run's length is "
    "--max-epochs.",
)
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    required=True,
    metavar="PATH.png|PATH.pdf",
    help="The file to write; its suffix says the format: .png, or .pdf (one page holding the "
    "same image, not vector paths). A regular file (replaced atomically) or a new path.",
)
@click.option(
    "--width",
    type=click.IntRange(*FIGURE_WIDTH_LIMITS),
    default=DEFAULT_FIGURE_WIDTH,
    show_default=True,
    help="Width of the figure in pixels; its height follows from its rows.",
)
@click.option(
    "--theme",
    type=click.Choice(THEME_NAMES),
    default=None,
    help="Colours [default: $NNVIZ_THEME, else dark].",
)
@click.option(
    "--axis-scales",
    type=click.Choice(AXIS_SCALES),
    default="auto",
    show_default=True,
    help="How the input plane scales its two axes, as for nnviz render.",
)
@click.option(
    "--draw-points",
    type=int,
    default=None,
    help="Draw a seeded sample of this many points (needed above 2000 points).",
)
@click.option(
    "--run",
    "run_file",
    type=click.Path(path_type=Path),
    default=None,
    help="Draw this run file instead of a run of the options; it is validated first, and "
    "the options that describe a run are refused with it.",
)
@_run_options_with("--max-epochs")
def figure(
    activation: str,
    lr: float,
    figure_epochs: tuple[float | str, ...],
    out: Path,
    width: int,
    theme: str | None,
    axis_scales: str,
    draw_points: int | None,
    run_file: Path | None,
    **values: Any,
) -> None:
    """Draw one run at a few epochs as a figure of small multiples and print its path.

    Each epoch is a row: the input plane and every hidden layer's view, as the training
    video draws them at that epoch, labelled with the epoch, the loss and the accuracy; the
    video's legend is under the rows. The run is trained and cached on first use (its
    length is --max-epochs), or read from --run FILE. An epoch past the run's last is
    refused before any drawing.
    """
    from nnviz.figures import render_figure
    from nnviz.render_checks import check_figure_out, check_render

    context = click.get_current_context()
    check_figure_out(out)

    def report(message: str) -> None:
        click.echo(message, err=True)

    if run_file is not None:
        given = _given_flags(context, exempt=_FIGURE_ONLY)
        if given:
            raise click.UsageError(
                f"--run draws the run its file holds; drop {', '.join(given)}", context
            )
        run = load_run(run_file)
        config = run.config
        check_render(config, "png", draw_points=draw_points, points=len(run.y))
    else:
        try:
            config = _config(activation=activation, lr=lr, **values)
        except ConfigError as error:
            if error.field == "max_epochs":  # this command's flag of the run's length
                raise ConfigError("--max-epochs" + str(error)[len("max_epochs") :]) from None
            raise
        check_render(config, "png", draw_points=draw_points)
        check_writable_target(run_path(config))
        run = _run_of(config, report)
    try:
        figure_epochs_of(figure_epochs, run.epochs, run.unit)
    except ValueError as error:
        raise RenderError(str(error)) from None
    what = printable(run_file) if run_file is not None else f"{config.dataset} {config.label()}"
    click.echo(f"drawing {what} at {len(figure_epochs)} epochs ...", err=True)
    path = render_figure(config, figure_epochs, out, width, run_file, axis_scales, theme=theme,
                         draw_points=draw_points, report=report)  # fmt: skip
    click.echo(path)


@cli.command()
@click.argument("scene_file", type=click.Path(path_type=Path))
@click.argument("scene_name", required=False)
@_output_options(default_quality="h")
@click.option(
    "-o",
    "--output-file",
    "output_name",
    default=None,
    help="The video's file name without suffix (default: the scene's name, as manim).",
)
@click.option(
    "--media-dir",
    "--media_dir",
    type=click.Path(path_type=Path),
    default=Path("media"),
    show_default=True,
    help="Where videos land (media/videos/<file>/<quality>/).",
)
@_jobs_option
def manim(
    scene_file: Path,
    scene_name: str | None,
    quality: str,
    output_format: str,
    output_name: str | None,
    media_dir: Path,
    jobs: int,
) -> None:
    """Render a scene file as `manim -q<quality> FILE [SCENE]` does, with --jobs processes.

    The scene's animations are split into --jobs contiguous ranges of about equal work,
    rendered at once by that many processes, and joined without encoding again: the video
    is the one manim writes, frame for frame, at the same path. Run it from the folder
    whose manim.cfg applies (the repository root for scenes/*.py). Prints the video's path.
    """
    from nnviz.render_checks import check_render
    from nnviz.rendering import SceneFile, render_scene, scene_classes_in

    if scene_file.suffix != ".py":
        raise RenderError(f"{scene_file}: not a Python scene file")
    try:  # Manim imports the file by its path; a FIFO or device is never opened
        check_regular_file(scene_file)
    except FileRefusedError as error:
        reason = "no such scene file" if error.missing else str(error)
        raise RenderError(f"{scene_file}: {reason}") from None
    check_render(None, output_format, media_dir=media_dir)
    try:
        classes = scene_classes_in(scene_file)
    except Exception as error:  # the user's code: one line instead of its traceback
        reason = f"{type(error).__name__}: {error}"
        raise RenderError(f"{scene_file}: cannot import it ({reason})") from None
    names = [scene_class.__name__ for scene_class in classes]
    if scene_name is None and len(names) != 1:
        listed = ", ".join(names) if names else "none"
        raise RenderError(f"{scene_file}: name the scene to render (scenes: {listed})")
    name = scene_name if scene_name is not None else names[0]
    if name not in names:
        raise RenderError(f"{scene_file}: no scene {name!r} (scenes: {', '.join(names)})")
    source = SceneFile(str(scene_file.absolute()), name)
    click.echo(f"rendering {scene_file} {name} with {jobs} process(es) ...", err=True)
    path = render_scene(source, quality, output_format, media_dir, output_name,
                        report=lambda message: click.echo(message, err=True), jobs=jobs,
                        input_file=scene_file)  # fmt: skip
    click.echo(path)


def main() -> None:
    """Entry point of the ``nnviz`` console script."""
    signal.signal(signal.SIGTERM, _terminate)
    cli(prog_name="nnviz")
