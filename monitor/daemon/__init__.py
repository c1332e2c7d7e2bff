"""The daemon, assembled from components that start in order and close in reverse.

:class:`Daemon` is the process: configuration, settings, signals, reload and the summary
line. :func:`build_daemon` builds the components from settings, configuration and the
open store; each is a :class:`Component` with ``start`` and ``close``.
"""

from monitor.daemon._build import DaemonParts, build_daemon
from monitor.daemon._daemon import Daemon, utc_now
from monitor.daemon._heap import settle_allocator
from monitor.daemon._lifecycle import Component, Lifecycle, StartError
from monitor.daemon._options import DaemonOptions

__all__ = [
    "Component",
    "Daemon",
    "DaemonOptions",
    "DaemonParts",
    "Lifecycle",
    "StartError",
    "build_daemon",
    "settle_allocator",
    "utc_now",
]
