"""The errors nnviz raises for the user: each message is one line, which the command line
prints as it is.

The lowest module of the package: the registries, the configuration, the renders and the
stories all raise these.
"""

from __future__ import annotations

from nnviz.terminal import printable

__all__ = ["ConfigError", "RenderError", "RunFileError"]


class ConfigError(ValueError):
    """A run configuration value is invalid; the message is one line for the user.

    Parameters
    ----------
    message
        The message; when ``field`` is given it starts with the field's name.
    field
        The :class:`~nnviz.config.RunConfig` field at fault, if any (the CLI names its flag
        instead).
    """

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class RenderError(RuntimeError):
    """A render cannot succeed (a missing tool, an unwritable folder); the message is one line."""


class RunFileError(ValueError):
    """A run file is missing, damaged or not a run file; the message is one line.

    Whatever of the file (or of its path) the message quotes, it reaches the user escaped
    (:func:`nnviz.terminal.printable`): no control character, no second line.
    """

    def __init__(self, message: str) -> None:
        super().__init__(printable(message))
