"""Agents: coordinator, worker, the rules model, guardrail and aggregator."""
