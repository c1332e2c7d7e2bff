"""One module per ``sla-monitor`` subcommand.

Each module has a ``register(subparsers)`` that adds its parser and sets ``run`` to a function
``(argparse.Namespace) -> int``. :mod:`monitor.cli` lists the modules; adding a command is a
new module here and one line there.
"""
