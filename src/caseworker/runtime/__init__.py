"""The runtime: Redis connection, job store, memory, events, queue, scheduler and recovery."""
