"""caseworker: run a compliance team's Standard Operating Procedures as AI agents."""

__version__ = "0.1.0"
