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
