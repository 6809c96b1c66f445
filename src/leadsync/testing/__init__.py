"""leadsync for the test suites of integrations: a real server per test session, reset
between tests (``pytest_plugin.py``, registered as the pytest plugin ``leadsync``).

Like the Python client, this package imports nothing of the server: it starts
``python -m leadsync serve`` in a subprocess and talks to it over HTTP.
"""

from leadsync.testing.server import LeadsyncServer

__all__ = ["LeadsyncServer"]
