"""Evaluation: labelled case datasets run through the real runtime, scored against their labels."""
