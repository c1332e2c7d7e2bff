"""Alembic migrations of the store, shipped inside the package and applied at start-up.

The daemon and every command apply them through :func:`monitor.store.migrate`. Developers
use the Alembic CLI with ``alembic.ini`` next to this file, for example::

    alembic -c monitor/migrations/alembic.ini -x url=sqlite+aiosqlite:///./dev.db \\
        revision --autogenerate --rev-id 0002 -m "what changes"
"""
