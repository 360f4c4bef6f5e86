"""One run's network on one clock, in the whole frame: where the diagram, the input plane,
the formula with the weights, and the legends go."""

from __future__ import annotations

import numpy as np
from manim import DOWN, LEFT, RIGHT, UP, Group, Line, VGroup

from nnviz.mobjects.context import BlockContext
from nnviz.mobjects.diagram.geometry import (
    classic_legend_anchors,
    diagram_region,
    link_legend_anchor,
)
from nnviz.mobjects.diagram.graph import NetworkGraph
from nnviz.mobjects.diagram.weight_readout import WeightReadout
from nnviz.mobjects.hud import ClassFieldLegend, ProbabilityLegend
from nnviz.mobjects.layout import ClockedGroup, heading_and_stats
from nnviz.mobjects.panels import InputPlanePanel
from nnviz.mobjects.typeset import theme_text
from nnviz.theme import Theme
from nnviz.view import AxisScales, Viewport

__all__ = ["NetworkLayout", "sign_rows"]


def sign_rows(theme: Theme, x: float, y: float, row_gap: float) -> VGroup:
    """Return the legend's two rows of link colours, a sample line and its words each
    (``weight > 0`` at height ``y``, ``weight < 0`` ``row_gap`` below), starting at ``x``."""
    rows = VGroup()
    for k, (color, words) in enumerate(
        ((theme.positive, "weight > 0"), (theme.negative, "weight < 0"))
    ):
        sample = Line(np.array([x, 0, 0]), np.array([x + 0.5, 0, 0]))
        sample.set_stroke(color, 4.0).shift((y - row_gap * k) * UP)
        text = theme_text(theme, words, font_size=16, color=theme.muted)
        text.next_to(sample, RIGHT, buff=0.12)
        rows.add(VGroup(sample, text))
    return rows


class NetworkLayout(ClockedGroup):
    """One run on one clock: heading and read-out (top), the diagram with its heatmaps (left),
    the probability mesh over the input plane (right) with its colour legend (bottom right) and
    the formula (bottom left), with the live weights where :class:`WeightReadout` shows them.
    A network without live weights gets the whole left side down to its one-line formula.
    A softmax output of k classes: the input plane shows the top class faded by confidence
    with the ties, the legend every class by name (:class:`~nnviz.mobjects.hud.ClassFieldLegend`),
    and the diagram leaves room right of its output nodes for their class names and their
    live weights (:meth:`WeightReadout.place_outputs`).

    Parameters
    ----------
    context
        The run (continuous in the epoch), the epoch tracker that drives every part, colours
        and font.
    mesh_resolution, heatmap_resolution
        Pixels along each side of the probability mesh and of each heatmap.
    axis_scales
        How the input plane, and so every heatmap over it, scales its axes
        (:func:`nnviz.mobjects.panels.input_box`).
    """

    INPUT_VIEW = Viewport((4.45, 0.3), 4.2, 4.2)

    def __init__(
        self,
        context: BlockContext,
        mesh_resolution: int = 160,
        heatmap_resolution: int = 100,
        axis_scales: AxisScales | str = "auto",
    ) -> None:
        super().__init__()
        trajectory, theme = context.trajectory, context.theme
        self.clock = context.clock
        self.input_panel = InputPlanePanel(
            context.at(self.INPUT_VIEW),
            caption=(
                "the top class over the input plane"
                if trajectory.run.config.output_head.link == "softmax"
                else "the output ŷ over the input plane"
            ),
            mesh_resolution=mesh_resolution,
            axis_scales=axis_scales,
        )
        self.weights = WeightReadout(context)
        softmax = self.weights.softmax
        region = diagram_region(self.weights.live, trajectory.run.hidden_widths, softmax)
        self.diagram = NetworkGraph(
            context,
            heatmap_resolution=heatmap_resolution,
            box=self.input_panel.box,
            region=region,
        )
        self.heading, self.stats = heading_and_stats(context)
        self.weights.arrange_at(left=-6.7, top=-2.4 if self.weights.live else -3.2)
        if self.weights.output_rows:
            labels = self.diagram.class_labels
            self.weights.place_outputs(
                labels.get_right()[0] + 0.3, [float(p[1]) for p in self.diagram.positions[-1]]
            )
        self.legend = self._legend(theme) if self.diagram.classic else self._link_legend(theme)
        names = trajectory.run.config.class_names
        key: Group = (
            ClassFieldLegend(theme, trajectory.run.config.classes, class_names=names)
            if softmax
            else ProbabilityLegend(theme, class_names=names)
        )
        self.mesh_legend = key.move_to(np.array([5.95, -3.0, 0.0]))
        if softmax:  # as wide as its classes need: its right edge inside the frame's
            self.mesh_legend.move_to(np.array([6.95, -3.0, 0.0]), aligned_edge=RIGHT)
        self.live = (self.input_panel, self.diagram, self.stats, self.weights)
        self.add(
            self.diagram,
            self.input_panel,
            self.heading,
            self.stats,
            self.weights,
            self.legend,
            self.mesh_legend,
        )

    def _legend(self, theme: Theme) -> Group:
        """Link colours and widths (upper right of the diagram) and the heatmap scale (lower)."""
        diagram = self.diagram
        (x, y), scale_left = classic_legend_anchors(diagram.heatmap_views)
        rows = sign_rows(theme, x, y, row_gap=0.32)
        note = theme_text(theme, "width ∝ |weight|, ring = bias", font_size=16, color=theme.muted)
        note.next_to(rows, DOWN, buff=0.14, aligned_edge=LEFT)
        scale = diagram.scale_legend()
        scale.move_to(np.array([*scale_left, 0.0]), aligned_edge=LEFT)
        caption = theme_text(theme, "activation", font_size=16, color=theme.muted)
        caption.next_to(scale, UP, buff=0.1, aligned_edge=LEFT)
        return Group(rows, note, scale, caption)

    def _link_legend(self, theme: Theme) -> VGroup:
        """Link colours and widths: below the input plane beside the probability legend, or
        right of a diagram that leaves room (the columns carry their own heatmap scales)."""
        x, y = link_legend_anchor(self.diagram.region, self.diagram.softmax)
        rows = sign_rows(theme, x, y, row_gap=0.3)
        note = theme_text(theme, "width ∝ |weight|", font_size=16, color=theme.muted)
        ring = theme_text(theme, "ring = bias", font_size=16, color=theme.muted)
        note.next_to(rows, DOWN, buff=0.12, aligned_edge=LEFT)
        ring.next_to(note, DOWN, buff=0.1, aligned_edge=LEFT)
        return VGroup(rows, note, ring)
