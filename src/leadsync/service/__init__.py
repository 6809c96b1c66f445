"""Marketo's rules, over the Store protocol; no XML, no SQL."""
