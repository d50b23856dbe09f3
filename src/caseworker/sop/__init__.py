"""SOP and agent-spec parsing and validation, and CEL rules."""
