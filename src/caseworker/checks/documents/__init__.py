"""Documents: intake and OCR, typed extraction, verification against the case, inspection."""
