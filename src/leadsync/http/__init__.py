"""Serving: the ASGI app (``app.py``), the server and its worker processes (``server.py``,
``balancer.py``), metrics (``metrics.py``) and keys kept outside the store
(``keyfile.py``). The one place that puts the wire, the service and the store together."""
