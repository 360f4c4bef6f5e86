"""Three spiral arms, three classes: ``manim -ql scenes/spiral3.py``."""

from __future__ import annotations

from nnviz.config import RunConfig
from nnviz.stories.training import SingleRunStory, TrainingPhase


class ThreeArmedSpiral(SingleRunStory):
    """A three-armed spiral (noise 0.05) learned by a 2-8-8-2-3 tanh network with a softmax
    output (Adam, learning rate 0.03, full batch, 600 epochs, seed 0): the input plane
    coloured by the most probable class and faded where the network is unsure, the first two
    hidden layers as PCA projections, the last as a plane cut into three exact convex regions;
    it reaches 95 % accuracy at epoch 295 and ends at 97.5 %."""

    base_config = RunConfig(dataset="spiral", classes=3, noise=0.05, hidden=(8, 8, 2),
                            batch_size=None, max_epochs=600, target_loss=0.0)  # fmt: skip
    activation = "tanh"
    lr = 0.03
    training = TrainingPhase(seconds_per_epoch=0.03)
    title = "Three classes: a spiral of three arms"
