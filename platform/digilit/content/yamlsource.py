"""YAML loading that remembers where each key was written, for ``path:line`` messages."""
import yaml

LINE = "__line__"    # line of the mapping itself
LINES = "__lines__"  # {key: line of that key}


class _LineLoader(yaml.SafeLoader):
    """A SafeLoader (no arbitrary objects) that annotates mappings with line numbers."""

    def construct_mapping(self, node, deep=False):
        mapping = super().construct_mapping(node, deep=deep)
        mapping[LINE] = node.start_mark.line + 1
        mapping[LINES] = {
            key_node.value: key_node.start_mark.line + 1 for key_node, _ in node.value
        }
        return mapping


class YamlError(Exception):
    def __init__(self, line, message):
        super().__init__(message)
        self.line = line
        self.message = message


def load_located(text):
    """Parse ``text``; mappings carry ``__line__`` and ``__lines__``. Raises ``YamlError``."""
    try:
        return yaml.load(text, Loader=_LineLoader)  # noqa: S506 - _LineLoader is a SafeLoader
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark else 1
        return _raise(line, f"invalid YAML: {error.problem or error}")
    except yaml.YAMLError as error:
        return _raise(1, f"invalid YAML: {error}")


def _raise(line, message):
    raise YamlError(line, message)


def line_of(mapping, key=None):
    """The line of ``key`` in ``mapping``, or of the mapping itself."""
    if not isinstance(mapping, dict):
        return 1
    if key is not None and key in mapping.get(LINES, {}):
        return mapping[LINES][key]
    return mapping.get(LINE, 1)


def plain_keys(mapping):
    return [key for key in mapping if key not in (LINE, LINES)]
