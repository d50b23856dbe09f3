"""Loaders for the publishers' own list formats, each into `ListedEntity` records."""
