"""Marketo's REST API on the same store as the SOAP one: identity, leads, lists,
activities, campaigns, programs and custom objects, as rest-api/*.md documents them.

``app.py`` answers every call (tokens, limits, the JSON answer and its errors);
``registry.py`` maps paths to the handlers of each family module; ``values.py`` turns
stored leads and times into REST's JSON and back.
"""
