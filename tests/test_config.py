from __future__ import annotations

import numpy as np
import pytest

from nnviz.config import ConfigError, RunConfig


def test_defaults_are_the_blog_experiment() -> None:
    config = RunConfig()
    assert (config.dataset, config.samples, config.hidden) == ("seed", 400, (2,))
    assert (config.batch_size, config.max_epochs, config.target_loss) == (32, 200, 0.263)


def test_the_posts_stop_rule_belongs_to_its_own_data_only() -> None:
    """0.263 is a property of the post's sample: other data train every epoch by default, and
    an explicit target is kept wherever it is given."""
    assert RunConfig(dataset="seed").target_loss == 0.263
    for dataset in ("xor", "circles", "moons", "spiral"):
        config = RunConfig(dataset=dataset)
        assert config.target_loss == 0.0 and not config.has_target
    assert RunConfig(dataset="circles", target_loss=0.1).target_loss == 0.1
    # Changing the data takes the new data's rule, unless a target was chosen.
    assert RunConfig().replace(dataset="spiral").target_loss == 0.0
    assert RunConfig(dataset="spiral").replace(dataset="seed").target_loss == 0.263
    assert RunConfig(target_loss=0.3).replace(dataset="spiral").target_loss == 0.3
    assert RunConfig(dataset="spiral").replace(lr=0.1).target_loss == 0.0
    # The rule is recorded, so a run file says what stopped it.
    assert RunConfig.from_dict(RunConfig(dataset="moons").to_dict()).target_loss == 0.0


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"activation": "softplus"}, "unknown activation 'softplus'"),
        ({"dataset": "mnist"}, "unknown dataset 'mnist'"),
        ({"lr": 0.0}, "lr must be greater than 0"),
        ({"lr": -0.1}, "lr must be greater than 0"),
        ({"lr": float("nan")}, "lr must be finite"),
        ({"lr": "0.1"}, "lr must be a number"),
        ({"hidden": 0}, "hidden must be at least 1"),
        ({"max_epochs": 0}, "max_epochs must be at least 1"),
        ({"batch_size": 0}, "batch_size must be at least 1"),
        ({"hidden": 2.5}, "hidden must be a whole number"),
        ({"samples": 1}, "samples must be at least 2"),
        ({"init": "he"}, "unknown init 'he'; choose one of glorot, torch"),
        ({"data_seed": -1}, "data_seed must be at least 0"),
        ({"data_seed": 2**32}, "data_seed must be at most 4294967295"),
        ({"adam_epsilon": 0.0}, "adam_epsilon must be greater than 0"),
        ({"samples": 10_000_000_000}, "samples must be at most 100000, got 10000000000"),
        ({"hidden": 100_000_000_000}, "hidden layers of 100000000000 units are too wide"),
        ({"max_epochs": 1_000_000_000}, "max_epochs must be at most 10000"),
        ({"seed": 18446744073709551616}, "seed must be at most 4294967295"),
        ({"seed": -1}, "seed must be at least 0"),
        ({"batch_size": 10**12}, "batch_size must be at most 100000"),
        ({"noise": 1e300}, "noise must be at most 1e[+]06"),
        ({"lr": 10**400}, "lr must be finite"),
        ({"lr": [[[[0.1]]]]}, "lr must be a number, got"),
        ({"dataset": "x" * 10_000}, "unknown dataset 'xxx"),
        ({"optimizer": "adagrad"}, "unknown optimizer 'adagrad'; choose one of adam, sgd"),
        ({"test_fraction": 0.6}, "test_fraction must be at most 0.5"),
        ({"test_fraction": -0.1}, "test_fraction must be at least 0"),
        ({"weight_decay": -1e-4}, "weight_decay must be at least 0"),
        ({"l1": float("inf")}, "l1 must be finite"),
        ({"data_file": "a.csv"}, "data_file is only for dataset 'csv'"),
        ({"data_file": None, "dataset": "csv"}, "data_file must name the CSV file"),
        ({"feature_names": ("a",)}, "feature_names must be two names"),
        ({"class_names": ("a", "x" * 41)}, "class_names: 'xxx.* is not a name of at most 40"),
        ({"class_names": ("a", "b\nc")}, r"class_names: 'b\\nc' is not a name"),
    ],
)
def test_invalid_values_raise_one_line_errors(changes: dict, message: str) -> None:
    with pytest.raises(ConfigError, match=message) as caught:
        RunConfig(**changes)
    assert "\n" not in str(caught.value) and len(str(caught.value)) < 120
    assert caught.value.field == next(iter(changes))


def test_the_largest_seed_seeds_every_generator() -> None:
    import torch

    from nnviz.config import MAX_SEED
    from nnviz.data import make_dataset

    np.random.seed(MAX_SEED)  # noqa: NPY002 (the legacy seeding of the blog takes it too)
    torch.manual_seed(MAX_SEED)
    torch.Generator().manual_seed(MAX_SEED)
    make_dataset("seed", 10, None, MAX_SEED)


def test_key_is_stable_and_distinguishes_configs() -> None:
    assert RunConfig().key() == RunConfig().key()
    keys = {RunConfig(lr=lr, activation=a).key() for lr in (0.1, 0.01) for a in ("relu", "tanh")}
    assert len(keys) == 4
    assert RunConfig(batch_size=None).key() != RunConfig().key()
    assert RunConfig(init="torch").key() != RunConfig().key()
    assert RunConfig(data_seed=1).key() != RunConfig().key()


def test_dict_round_trip_and_unknown_keys() -> None:
    config = RunConfig(activation="tanh", lr=0.1, batch_size=None, noise=0.3)
    assert RunConfig.from_dict(config.to_dict()) == config
    with pytest.raises(ConfigError, match="unknown run configuration keys: colour"):
        RunConfig.from_dict({**config.to_dict(), "colour": "red"})


def test_training_label_names_what_differs_from_the_post() -> None:
    from nnviz.formatting import training_label

    assert training_label(RunConfig()) == "learning rate 0.01"
    assert training_label(RunConfig(optimizer="momentum", lr=0.05, weight_decay=1e-4)) == (
        "SGD + momentum 0.9 · learning rate 0.05 · weight decay 0.0001"
    )
    assert training_label(RunConfig(l1=0.001)) == "Adam · learning rate 0.01 · L1 0.001"
    external = RunConfig(dataset="external", optimizer="external")
    assert training_label(external) == "your own training loop"


def test_names_and_data_sources_round_trip() -> None:
    names = {"feature_names": ("length", "weight"), "class_names": ("perch", "pike")}
    config = RunConfig(dataset="csv", data_file="fish.csv", data_hash="ab" * 32, **names)
    again = RunConfig.from_dict(config.to_dict())
    assert again == config and again.class_names == ("perch", "pike")
    assert config.key() != config.replace(data_hash="cd" * 32).key()


def test_cache_keys_of_existing_configurations_do_not_change() -> None:
    """Keys computed by nnviz before leaky_relu took a slope: every other activation, and
    leaky_relu at its default, keep the cache files they had."""
    assert RunConfig().key() == "seed-relu-h2-lr0.01-s0-ace05bd95b"
    assert RunConfig(activation="tanh", lr=0.1).key() == "seed-tanh-h2-lr0.1-s0-b124cbc5d5"
    assert RunConfig(activation="leaky_relu").key() == "seed-leaky_relu-h2-lr0.01-s0-76a30f8649"
    deep = RunConfig(dataset="spiral", hidden=(8, 8, 2),
                     activation=("leaky_relu", "leaky_relu", "tanh"))  # fmt: skip
    assert deep.key() == "spiral-leaky_relu-leaky_relu-tanh-h8-8-2-lr0.01-s0-64db2cc6b6"


def test_a_slope_is_its_own_configuration_and_file_name() -> None:
    from nnviz.run_videos import run_scene_class, run_video_name

    config = RunConfig(activation="leaky_relu:0.01")
    assert config != RunConfig(activation="leaky_relu")
    assert config.key().startswith("seed-leaky_relu0.01-h2-lr0.01-s0-")
    assert config.key() != RunConfig(activation="leaky_relu").key()
    assert ":" not in config.key() and ":" not in run_video_name(config)
    assert run_video_name(config) == "leaky_relu0.01_lr0.01"
    assert run_scene_class(config).__name__.isidentifier()
    assert RunConfig.from_dict(config.to_dict()) == config
