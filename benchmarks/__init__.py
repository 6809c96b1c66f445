"""``make bench``: leadsync's benchmark harness (not part of the installed package)."""
