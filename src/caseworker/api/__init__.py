"""The REST service: FastAPI app, auth and tenants, jobs, live events, batches, reports."""
