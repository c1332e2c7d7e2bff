"""The configuration file: schema, loading and error reporting (docs/rules.md#bad-input).

``load_config(path)`` returns a frozen, fully cross-checked :class:`Config` or raises a
:class:`ConfigError` naming the file, the field path and the problem, one line each. The
config builds the pure objects the SLA core works with: ``config.calendar(name)`` and
``config.maintenance_schedule()``.
"""

from monitor.config._errors import ConfigError, ConfigProblem, problems_from_validation_error
from monitor.config._load import MAX_CONFIG_BYTES, load_config, parse_config
from monitor.config._model import Config
from monitor.config._secrets import secret_file_problems
from monitor.config._sections import (
    DEFAULT_CATEGORIES,
    HOLIDAY_NAME_YEARS,
    MAX_WORKERS,
    CalendarConfig,
    CategoryConfig,
    EvidenceConfig,
    HolidaysConfig,
    LocationConfig,
    MailboxConfig,
    MaintenanceConfig,
    OAuth2Auth,
    PasswordAuth,
    PoliciesConfig,
    ProbingConfig,
    ReportConfig,
    ReportHeaderConfig,
    RetentionConfig,
    ServiceDeskConfig,
    SlaConfig,
    TargetConfig,
)
from monitor.config._types import ALWAYS, DEFAULT_CALENDAR, Slug

__all__ = [
    "ALWAYS",
    "DEFAULT_CALENDAR",
    "DEFAULT_CATEGORIES",
    "HOLIDAY_NAME_YEARS",
    "MAX_CONFIG_BYTES",
    "MAX_WORKERS",
    "CalendarConfig",
    "CategoryConfig",
    "Config",
    "ConfigError",
    "ConfigProblem",
    "EvidenceConfig",
    "HolidaysConfig",
    "LocationConfig",
    "MailboxConfig",
    "MaintenanceConfig",
    "OAuth2Auth",
    "PasswordAuth",
    "PoliciesConfig",
    "ProbingConfig",
    "ReportConfig",
    "ReportHeaderConfig",
    "RetentionConfig",
    "ServiceDeskConfig",
    "SlaConfig",
    "Slug",
    "TargetConfig",
    "load_config",
    "parse_config",
    "problems_from_validation_error",
    "secret_file_problems",
]
