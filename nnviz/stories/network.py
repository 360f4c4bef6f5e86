"""The network itself: a 2-2-1 diagram whose links, biases and neuron heatmaps learn."""

from __future__ import annotations

from typing import ClassVar

from manim import ValueTracker, linear

from nnviz.mobjects.diagram import NetworkLayout
from nnviz.stories.base import NNVizScene
from nnviz.trajectory import Trajectory

__all__ = ["NetworkStory"]


class NetworkStory(NNVizScene):
    """One run shown as the network: links coloured by sign and as wide as ``|w|``, a bias ring
    at each neuron, each hidden neuron's activation over the input plane, the probability mesh
    and the formula with the live weights, all driven by one epoch clock.

    Subclasses set :attr:`activation`, :attr:`lr` or :attr:`seconds_per_epoch`.
    """

    #: Hidden activation of the run.
    activation: ClassVar[str] = "relu"
    #: Learning rate of the run.
    lr: ClassVar[float] = 0.01
    #: Seconds of video per training epoch (200 epochs take 20 s).
    seconds_per_epoch: ClassVar[float] = 0.1
    #: Seconds the initial state stays on screen before the clock starts.
    lead_seconds: ClassVar[float] = 1.5
    #: Seconds the final state stays on screen.
    hold_seconds: ClassVar[float] = 2.5
    #: Pixels along each side of the probability mesh.
    mesh_resolution: ClassVar[int] = 160
    #: Pixels along each side of each hidden neuron's heatmap.
    heatmap_resolution: ClassVar[int] = 100

    def construct(self) -> None:
        self.show_network(Trajectory(self.run_for(activation=self.activation, lr=self.lr)))

    def show_network(self, trajectory: Trajectory) -> None:
        """Reveal the network of ``trajectory``'s run and play its training on one clock."""
        clock = ValueTracker(0.0)
        layout = NetworkLayout(
            trajectory, clock, self.theme, self.mesh_resolution, self.heatmap_resolution
        )
        self.reveal(layout, run_time=0.8)
        self.wait(self.lead_seconds)
        layout.start()
        self.play(
            clock.animate.set_value(trajectory.epochs),
            run_time=max(trajectory.epochs * self.seconds_per_epoch, 0.5),
            rate_func=linear,
        )
        layout.stop()
        self.wait(self.hold_seconds)
