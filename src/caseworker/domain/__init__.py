"""Domain models: case, plan, check results, job and events."""
