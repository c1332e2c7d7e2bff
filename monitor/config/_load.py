"""Reading a configuration file into a :class:`Config`, or a :class:`ConfigError`."""

from __future__ import annotations

import os
from pathlib import Path

from pydantic import ValidationError

from monitor.config._errors import ConfigError, ConfigProblem, problems_from_validation_error
from monitor.config._model import Config
from monitor.config._yaml import YamlError, load_yaml

__all__ = ["load_config", "parse_config"]


def load_config(path: str | os.PathLike[str]) -> Config:
    """Read and validate the YAML file at ``path``; every problem is in the ConfigError."""
    source = os.fspath(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise ConfigError(source, [ConfigProblem(None, "", "not UTF-8 text")]) from None
    except OSError as error:
        reason = error.strerror or type(error).__name__
        raise ConfigError(source, [ConfigProblem(None, "", f"cannot read: {reason}")]) from None
    return parse_config(text, source)


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
    try:
        return Config.model_validate(document.data)
    except ValidationError as error:
        problems = problems_from_validation_error(error, document.data, document.root, Config)
        raise ConfigError(source, problems) from None
