"""Reading a configuration file into a :class:`Config`, or a :class:`ConfigError`."""

from __future__ import annotations

import os
from pathlib import Path

from pydantic import ValidationError

from monitor.config._errors import ConfigError, ConfigProblem, problems_from_validation_error
from monitor.config._model import Config
from monitor.config._yaml import YamlError, load_yaml
from monitor.errors import SlaMonitorError

__all__ = ["MAX_CONFIG_BYTES", "load_config", "parse_config"]

MAX_CONFIG_BYTES = 16 * 1024 * 1024
"""Largest configuration file read. 10,000 targets take about 3 MB; a file far beyond that
is a mistake (a log or a dump at the wrong path) and would cost gigabytes to parse."""


def load_config(path: str | os.PathLike[str]) -> Config:
    """Read and validate the YAML file at ``path``; every problem is in the ConfigError."""
    source = os.fspath(path)
    try:
        raw = _read_bounded(Path(path))
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ConfigError(source, [ConfigProblem(None, "", "not UTF-8 text")]) from None
    except OSError as error:
        reason = error.strerror or type(error).__name__
        raise ConfigError(source, [ConfigProblem(None, "", f"cannot read: {reason}")]) from None
    except _TooLargeError as error:
        raise ConfigError(source, [ConfigProblem(None, "", str(error))]) from None
    return parse_config(text, source)


class _TooLargeError(SlaMonitorError):
    """The file is over the size limit; turned into a :class:`ConfigError` by the loader."""


def _read_bounded(path: Path) -> bytes:
    """The file's bytes, refusing before reading when it is larger than the limit.

    The size is checked twice: by ``fstat`` for a regular file, and by reading one byte past
    the limit for anything whose size is not known up front (a pipe, a growing file).
    """
    with path.open("rb") as handle:
        size = os.fstat(handle.fileno()).st_size
        if size > MAX_CONFIG_BYTES:
            raise _TooLargeError(_too_large(f"{size:,} bytes"))
        raw = handle.read(MAX_CONFIG_BYTES + 1)
    if len(raw) > MAX_CONFIG_BYTES:
        raise _TooLargeError(_too_large(f"more than {MAX_CONFIG_BYTES:,} bytes"))
    return raw


def _too_large(size: str) -> str:
    return (
        f"the file is {size}, more than the limit of {MAX_CONFIG_BYTES:,} bytes; "
        "is this the right file?"
    )


def parse_config(text: str, source: str = "<config>") -> Config:
    """Validate configuration text; ``source`` names it in error messages."""
    try:
        document = load_yaml(text)
    except YamlError as error:
        raise ConfigError(
            source, [ConfigProblem(p.line, p.path, p.message) for p in error.problems]
        ) from None
    if document.root is None:
        raise ConfigError(
            source,
            [
                ConfigProblem(
                    None,
                    "",
                    "the file is empty; start from config/sla-monitor.example.yaml",
                )
            ],
        )
    if not isinstance(document.data, dict):
        raise ConfigError(
            source,
            [
                ConfigProblem(
                    document.root.start_mark.line + 1,
                    "",
                    "the top level must be a mapping of sections "
                    "(timezone, calendars, maintenance, targets, servicedesk, policies, retention)",
                )
            ],
        )
    data = document.data
    # The node tree (every value with its line marks) is several times the size of the
    # configuration it describes: dropped before validation, so the models fill the memory it
    # leaves instead of pinning it, and made again from the text only to name the lines of
    # a refused file.
    del document
    try:
        return Config.model_validate(data)
    except ValidationError as error:
        root = load_yaml(text).root
        problems = problems_from_validation_error(error, data, root, Config)
        raise ConfigError(source, problems) from None
