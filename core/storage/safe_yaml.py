"""Load a hand-written YAML file (provider.yaml, a plan config) within limits.

``yaml.safe_load`` builds no objects from tags, but it still follows aliases: a
"billion laughs" document of a few hundred bytes expands to billions of nodes
once the plan loader walks it, and a deeply nested one ends in a RecursionError.
Here the document is composed first, its nesting depth and its size with every
alias expanded are measured, and only then is it built; anything over the limits
in ``ecmx.core.storage.limits`` is one line (exit 2).

Where PyYAML has libyaml, a document is composed in C (ten times faster: plan configs
are parsed on every start). libyaml's composer recurses in C, so the nesting is first
measured on its event stream; a document it refuses, one nested near the limit, or one
holding a character the pure-Python reader refuses goes the pure-Python way, which
words every error and refusal exactly as before.
"""

from __future__ import annotations

from pathlib import Path

import yaml
from yaml.events import CollectionEndEvent, CollectionStartEvent
from yaml.nodes import MappingNode, SequenceNode
from yaml.reader import Reader

from ecmx.core.errors import InputError
from ecmx.core.storage import limits


class _DepthLimitedLoader(yaml.SafeLoader):
    """A SafeLoader whose composer refuses to nest deeper than the limit (it recurses)."""

    _depth = 0

    def compose_node(self, parent, index):
        self._depth += 1
        try:
            if self._depth > limits.MAX_YAML_DEPTH:
                mark = self.peek_event().start_mark
                raise _Refused(
                    f"line {mark.line + 1}: nested deeper than {limits.MAX_YAML_DEPTH} levels"
                )
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


class _Refused(Exception):
    pass


def load_yaml(path: Path, what: str):
    """The document in ``path`` (a regular file of UTF-8 YAML within the limits)."""
    path = limits.regular_file(path, what)
    if limits.size_of(path) > limits.MAX_YAML_BYTES:
        raise InputError(
            f"{path}: larger than {limits.mib(limits.MAX_YAML_BYTES)}; a {what} is a short text file"
        )
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not UTF-8 text (byte {exc.start}); save it as UTF-8") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot be read ({exc.strerror})") from None
    return loads(text, str(path))


def loads(text: str, origin: str):
    """Parse ``text``; ``origin`` names it in messages.

    Over a limit: InputError. Not YAML: ``yaml.YAMLError``, which each caller words
    (a provider file stops the run, a plan config is one problem among all).
    """
    fast = _fast_node(text)
    if fast is not None:
        loader, node = fast
        try:
            _check_expanded_size(node)
            return loader.construct_document(node)
        except (_Refused, yaml.YAMLError):
            pass  # worded by the pure-Python path below
        finally:
            loader.dispose()
    loader = _DepthLimitedLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        _check_expanded_size(node)
        return loader.construct_document(node)
    except _Refused as exc:
        raise InputError(f"{origin}: {exc}; refused (see docs/configuration.md, Limits)") from None
    finally:
        loader.dispose()


_CLoader = getattr(yaml, "CSafeLoader", None)


def _fast_node(text: str):
    """``(loader, root node)`` composed by libyaml, or None: the pure-Python path decides."""
    if _CLoader is None or Reader.NON_PRINTABLE.search(text):
        return None
    depth = deepest = 0
    try:
        for event in yaml.parse(text, Loader=_CLoader):
            if isinstance(event, CollectionStartEvent):
                depth += 1
                deepest = max(deepest, depth)
            elif isinstance(event, CollectionEndEvent):
                depth -= 1
        if deepest >= limits.MAX_YAML_DEPTH - 1:  # a scalar under it is one level more
            return None
        loader = _CLoader(text)
        node = loader.get_single_node()
    except yaml.YAMLError:
        return None
    if node is None:
        loader.dispose()
        return None
    return loader, node


def _check_expanded_size(root) -> None:
    """Count the nodes (and levels) the document holds once every alias is expanded.

    Memoised per node, so a bomb is measured in as many steps as it has anchors;
    a node that contains itself (``&a [*a]``) is refused too.
    """
    sizes: dict[int, int] = {}
    depths: dict[int, int] = {}
    on_path: set[int] = set()
    stack = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        key = id(node)
        if children_done:
            on_path.discard(key)
            children = _children(node)
            sizes[key] = 1 + sum(sizes[id(c)] for c in children)
            depths[key] = 1 + max((depths[id(c)] for c in children), default=0)
            if depths[key] > limits.MAX_YAML_DEPTH:
                raise _Refused(
                    f"nested deeper than {limits.MAX_YAML_DEPTH} levels once aliases are expanded"
                )
            if sizes[key] > limits.MAX_YAML_NODES:
                raise _Refused(
                    f"expands to more than {limits.MAX_YAML_NODES:,} values through aliases "
                    "(&anchor / *alias)"
                )
            continue
        if key in sizes:
            continue
        if key in on_path:
            raise _Refused(f"line {node.start_mark.line + 1}: an alias refers to itself")
        on_path.add(key)
        stack.append((node, True))
        stack.extend((c, False) for c in _children(node) if id(c) not in sizes)


def _children(node):
    if isinstance(node, SequenceNode):
        return node.value
    if isinstance(node, MappingNode):
        return [part for pair in node.value for part in pair]
    return ()
