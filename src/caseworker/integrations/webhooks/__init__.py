"""Signed webhooks out (Standard Webhooks): endpoints, messages, deliveries with retries."""
