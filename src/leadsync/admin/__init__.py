"""The test kit's admin API, JSON under ``/leadsync-api/`` (app.py)."""
