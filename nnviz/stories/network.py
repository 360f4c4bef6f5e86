"""The network itself: a diagram of any small network whose links, biases and neuron heatmaps
learn."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from manim import ValueTracker

from nnviz.mobjects.context import BlockContext
from nnviz.mobjects.diagram.layout import NetworkLayout
from nnviz.mobjects.hud import run_outcome
from nnviz.mobjects.layout import heading_title
from nnviz.stories.base import NNVizScene, check_phases
from nnviz.stories.clock import linear_clock, play_clock
from nnviz.stories.fades import reveal
from nnviz.subtitles import outcome_cue, run_cue
from nnviz.trajectory import Trajectory
from nnviz.view import check_axis_scales

__all__ = ["NetworkPhase", "NetworkStory"]


@dataclass(frozen=True)
class NetworkPhase:
    """The network phase of a story: reveal a run's :class:`NetworkLayout`, hold its initial
    state, play its training on one clock, hold the final state. The settings are checked
    when it plays (:meth:`check`).

    Attributes
    ----------
    seconds_per_epoch
        Seconds of video per training epoch.
    lead_seconds
        Seconds the initial state stays on screen before the clock starts.
    hold_seconds
        Seconds the final state stays on screen.
    mesh_resolution
        Pixels along each side of the probability mesh.
    heatmap_resolution
        Pixels along each side of each hidden neuron's heatmap.
    axis_scales
        How the input plane and the heatmaps over it scale their axes: ``"auto"`` (equal for
        a built-in data set, per axis for a CSV file's data or your own loop's), ``"equal"``
        or ``"per-axis"``.
    """

    seconds_per_epoch: float = 0.1
    lead_seconds: float = 1.5
    hold_seconds: float = 2.5
    mesh_resolution: int = 160
    heatmap_resolution: int = 100
    axis_scales: str = "auto"

    def check(self) -> None:
        """Raise :class:`ValueError` in one line when a setting is out of its range."""
        check_axis_scales(self.axis_scales)

    def play(self, scene: NNVizScene, trajectory: Trajectory) -> None:
        """Reveal the network of ``trajectory``'s run in ``scene`` and play its training."""
        self.check()
        clock = ValueTracker(0.0)
        layout = NetworkLayout(BlockContext(trajectory, clock, scene.theme), self.mesh_resolution,
                               self.heatmap_resolution, self.axis_scales)  # fmt: skip
        run = trajectory.run
        heading = run_cue(heading_title(run.config), run.count_text(0), run.count_text(run.epochs))
        with scene.subtitled(f"The network: {heading}"):
            reveal(scene, layout, run_time=0.8)
            scene.wait(self.lead_seconds)
            layout.start()
            play_clock(scene, clock, *linear_clock(trajectory.epochs, self.seconds_per_epoch))
        layout.stop()
        with scene.subtitled(outcome_cue(run_outcome(run))):
            scene.wait(self.hold_seconds)


class NetworkStory(NNVizScene):
    """One run shown as the network: links coloured by sign and as wide as ``|w|``, a bias ring
    at each neuron, each hidden neuron's activation over the input plane, the probability mesh
    and the formula (with the live weights where they fit), all driven by one epoch clock.

    Subclasses set :attr:`hidden`, :attr:`activation`, :attr:`dataset`, :attr:`lr`, or the
    timing and resolutions in :attr:`network` (``network = NetworkPhase(seconds_per_epoch=0.2)``);
    :attr:`base_config` sets the rest of the run (epochs, target, seeds).
    """

    #: Width of each hidden layer of the run.
    hidden: ClassVar[tuple[int, ...]] = (2,)
    #: Hidden activation of the run: one for every layer, or one per layer.
    activation: ClassVar[str | tuple[str, ...]] = "relu"
    #: Data set of the run.
    dataset: ClassVar[str] = "seed"
    #: Learning rate of the run.
    lr: ClassVar[float] = 0.01
    #: The network phase: its timing (200 epochs take 20 s), resolutions and axis scales.
    network: ClassVar[NetworkPhase] = NetworkPhase()

    def construct(self) -> None:
        check_phases(self, "network")
        run = self.run_for(
            hidden=self.hidden, activation=self.activation, dataset=self.dataset, lr=self.lr
        )
        self.show_network(Trajectory(run))

    def show_network(self, trajectory: Trajectory) -> None:
        """Reveal the network of ``trajectory``'s run and play its training on one clock."""
        self.network.play(self, trajectory)
