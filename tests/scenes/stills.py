"""Scenes for tests: a mid-training still and a shortened training video."""

from __future__ import annotations

from manim import ValueTracker

from nnviz.config import RunConfig
from nnviz.manim_adapter.slides import slides_when_installed
from nnviz.mobjects.context import BlockContext
from nnviz.mobjects.layout import TrainingLayout
from nnviz.stories.base import NNVizScene
from nnviz.stories.compare import ComparePhase
from nnviz.stories.explainer import ExplainerStory
from nnviz.stories.network import NetworkPhase
from nnviz.stories.training import SingleRunStory, TrainingPhase, TrainingStory
from nnviz.stories.transform import DeformationPhase
from nnviz.trajectory import Trajectory


class MidTrainingStill(NNVizScene):
    """The training layout of ReLU, lr 0.01, frozen between epochs 37 and 38."""

    epoch = 37.5

    def construct(self) -> None:
        trajectory = Trajectory(self.run_for(activation="relu", lr=0.01))
        layout = TrainingLayout(BlockContext(trajectory, ValueTracker(self.epoch), self.theme))
        self.add(layout)


class ShortTraining(TrainingStory):
    """The ReLU training video cut short: one learning rate, 12 epochs."""

    base_config = RunConfig(max_epochs=12)
    learning_rates = (0.1,)
    training = TrainingPhase(seconds_per_epoch=0.1, hold_seconds=0.5)


@slides_when_installed
class ShortExplainer(ExplainerStory):
    """The talk cut short: 4-epoch runs, quick phases."""

    base_config = RunConfig(max_epochs=4)
    title_seconds = 0.2
    network = NetworkPhase(seconds_per_epoch=0.05, hold_seconds=0.2, lead_seconds=0.2,
                           mesh_resolution=180)  # fmt: skip
    deformation = DeformationPhase(stage_seconds=(0.3, 0.3, 0.3), back_seconds=0.3,
                                   hold_seconds=0.2, mesh_resolution=180)  # fmt: skip
    training = TrainingPhase(seconds_per_epoch=0.05, hold_seconds=0.2)
    comparison = ComparePhase(seconds_per_epoch=0.05, hold_seconds=0.2, mesh_resolution=180)


class OrbitStill(NNVizScene):
    """The circles data through a 2-3-1 tanh network: the 3-D view with the output's plane."""

    epoch = 9.5

    def construct(self) -> None:
        config = RunConfig(dataset="circles", hidden=(3,), activation="tanh", lr=0.03,
                           max_epochs=20, target_loss=0.0)  # fmt: skip
        trajectory = Trajectory(self.run_for(**config.to_dict()))
        self.add(TrainingLayout(BlockContext(trajectory, ValueTracker(self.epoch), self.theme)))


class DeepStill(NNVizScene):
    """A 2-8-4-2-1 network on the spiral: a projection, a projection and a plane per layer."""

    epoch = 12.5

    def construct(self) -> None:
        config = RunConfig(dataset="spiral", hidden=(8, 4, 2), activation=("relu", "tanh", "tanh"),
                           lr=0.03, max_epochs=20, target_loss=0.0)  # fmt: skip
        trajectory = Trajectory(self.run_for(**config.to_dict()))
        self.add(TrainingLayout(BlockContext(trajectory, ValueTracker(self.epoch), self.theme)))


class LiftStill(NNVizScene):
    """The deformation of a 2-3-1 tanh network on the circles, in 3-D at the end of its
    activation: the tanh cube, the output's plane and the boundary carried along."""

    s = 3.0
    seconds = 3.0

    def construct(self) -> None:
        config = RunConfig(dataset="circles", hidden=(3,), activation="tanh", lr=0.03,
                           max_epochs=20, target_loss=0.0)  # fmt: skip
        run = self.run_for(**config.to_dict())
        phase = DeformationPhase()
        tracker = ValueTracker(self.s)
        panel = phase.make_panel(run, tracker, self.theme)
        panel.plane_fade.set_value(1.0)
        panel.show_boundary().show_range(1).advance(self.seconds)
        texts = phase.make_texts(run, tracker, self.theme)
        self.add(panel, texts.heading, texts.parameters[0], texts.progress, *texts.stage(3))


class ShortRun(SingleRunStory):
    """A 2-2-1 ReLU run of 8 epochs: its clock played in several chunks of whole frames."""

    base_config = RunConfig(activation="relu", lr=0.1, max_epochs=8, target_loss=0.0)
    activation = "relu"
    lr = 0.1
    training = TrainingPhase(seconds_per_epoch=0.4, hold_seconds=0.4, highlight_moments=False)


class ShortOrbitRun(SingleRunStory):
    """A 2-3-1 tanh run on the circles: its 3-D view turns with the video's time, so a
    skipped animation must advance it by the frames' time."""

    base_config = RunConfig(dataset="circles", hidden=(3,), activation="tanh", lr=0.03,
                            max_epochs=6, target_loss=0.0)  # fmt: skip
    activation = "tanh"
    lr = 0.03
    training = TrainingPhase(seconds_per_epoch=0.5, hold_seconds=0.5, highlight_moments=False)


class SpiralStill(NNVizScene):
    """A three-armed spiral through a 2-8-2-3 tanh network with a softmax output: the input
    plane and the last hidden plane coloured by the most probable class, faded by confidence,
    with the ties between the top two classes; the first hidden layer as a projection."""

    epoch = 24.5

    def construct(self) -> None:
        config = RunConfig(dataset="spiral", classes=3, hidden=(8, 2), activation="tanh",
                           lr=0.03, max_epochs=40, target_loss=0.0)  # fmt: skip
        trajectory = Trajectory(self.run_for(**config.to_dict()))
        self.add(TrainingLayout(BlockContext(trajectory, ValueTracker(self.epoch), self.theme)))


class ClassReadoutStill(NNVizScene):
    """The training phase's still of a three-armed spiral with a fifth held out: each class's
    accuracy beside the loss curve, the caption of the classes' first majorities in their
    colours, the held-out points and their key in the class palette."""

    epoch = 24.5

    def construct(self) -> None:
        config = RunConfig(dataset="spiral", classes=3, hidden=(8, 2), activation="tanh",
                           lr=0.03, max_epochs=40, target_loss=0.0,
                           test_fraction=0.2)  # fmt: skip
        trajectory = Trajectory(self.run_for(**config.to_dict()))
        TrainingPhase(mesh_resolution=90).show_still(self, trajectory, self.epoch)


class PointLossTrailsStill(SingleRunStory):
    """The post's ReLU run at epoch 8 (its points still moving fast) as ``nnviz render
    --point-loss --trails --still 8`` draws it: dots sized by their loss, the misclassified
    ringed, trails in the hidden space, the dots' scale beside the loss curve."""

    activation = "relu"
    lr = 0.01
    still = 8.0
    training = TrainingPhase(point_loss=True, trails=True)
