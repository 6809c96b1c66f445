"""SOAP on the wire: safe parsing, request decoding, one renderer, the WSDL."""
