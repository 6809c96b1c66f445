"""The one XML parser for what others send: never resolves entities, loads a DTD or
touches the network; comments and processing instructions are dropped. The server reads
requests with it and the client answers."""

from __future__ import annotations

from lxml import etree

SAFE_PARSER = etree.XMLParser(
    resolve_entities=False,
    no_network=True,
    load_dtd=False,
    dtd_validation=False,
    huge_tree=False,
    remove_comments=True,
    remove_pis=True,
)
