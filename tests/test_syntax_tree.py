"""The converted tree's lookups (`Module.nodes_in`) against a plain walk of the same nodes."""

from __future__ import annotations

from cvxlint.syntax.tree import parse


SOURCE = b'''
const LIMIT = "limit";
export function check(x: number) {
  if (x > 1) throw new Error(`too big: ${x} over ${LIMIT}`);
  if (x < 0) throw new Error("negative" + "!");
  return { label: "ok", other: `plain` };
}
'''


def walked(within, *types):
    return [n for n in within.walk() if n.type in types]


def test_nodes_in_gives_the_nodes_a_walk_finds_for_rarely_looked_up_types():
    module = parse(SOURCE, "ts")
    throws = module.nodes("throw_statement")
    assert len(throws) == 2
    # the first asks walk the small parts asked about (strings are not listed up front) ...
    for t in throws:
        assert module.nodes_in(t, "string", "template_string") == walked(t, "string", "template_string")
        assert module.nodes_in(t, "template_string") == walked(t, "template_string")
    assert "string" not in module.by_type
    # ... until they add up to the file: then the type is listed, with the same answers
    whole = module.nodes_in(module.root, "string", "template_string")
    assert whole == walked(module.root, "string", "template_string") and len(whole) == 6
    assert "string" in module.by_type
    for t in throws:
        assert module.nodes_in(t, "string", "template_string") == walked(t, "string", "template_string")


def test_node_at_finds_the_innermost_node_holding_a_span():
    source = b'const a = { shareId: make(), "quoted": 1, other };\nfunction f(x) { return x.shareIdList; }\n'
    module = parse(source, "ts")

    def at(text: bytes, nth: int = 0):
        i = -1
        for _ in range(nth + 1):
            i = source.index(text, i + 1)
        return module.node_at(i, i + len(text))

    key = at(b"shareId")
    assert (key.type, key.text, key.parent.type, key.field) == ("property_identifier", "shareId", "pair", "key")
    quoted = at(b"quoted")  # the string (its fragment, where the tree keeps one)
    quoted = quoted.parent if quoted.type == "string_fragment" else quoted
    assert (quoted.type, quoted.field, quoted.parent.type) == ("string", "key", "pair")
    assert at(b"other").type == "shorthand_property_identifier"
    longer = at(b"shareId", 1)  # a longer name holding it: that name's node, not a part of it
    assert (longer.type, longer.text) == ("property_identifier", "shareIdList")
    assert at(b"const a").type == "lexical_declaration"  # a span no single child holds: the enclosing node
    assert module.node_at(0, len(source)) is module.root
