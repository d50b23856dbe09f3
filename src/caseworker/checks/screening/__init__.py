"""Sanctions and PEP screening: list loaders, a matching engine, and the screening tools."""
