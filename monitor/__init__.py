"""sla-monitor: measures a service provider's contractual service levels."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("sla-monitor")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+unknown"

__all__ = ["__version__"]
