"""Integrations with other systems: webhooks out and in, Slack, error reporting."""
