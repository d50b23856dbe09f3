"""Line numbers of YAML mapping keys, so errors can point at the line an author must fix."""

from __future__ import annotations

import yaml


def key_lines(text: str, *, offset: int = 0) -> dict[str, int]:
    """1-based line of each top-level key of a YAML mapping (`offset` lines before the text)."""
    node = yaml.compose(text, Loader=yaml.SafeLoader)
    if not isinstance(node, yaml.MappingNode):
        return {}
    return {
        str(key.value): key.start_mark.line + 1 + offset
        for key, _ in node.value
        if isinstance(key, yaml.ScalarNode)
    }
