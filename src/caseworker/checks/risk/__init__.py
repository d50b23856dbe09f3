"""Risk-rating tools: country risk and industry risk against dated, shipped policy data."""
