"""The case dashboard: server-rendered pages for analysts and reviewers, served by the API."""
