"""The floor every linter in Python pays: read each file of the functions directories,
parse it with tree-sitter and walk every node once (single thread, no analysis).

    python bench/floor.py DIR     # prints files, lines, nodes and seconds
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

TS_EXT = (".ts", ".tsx", ".js", ".jsx", ".mts", ".cts", ".mjs", ".cjs")


def functions_files(target: Path) -> list[Path]:
    from cvxlint.project.discover import discover

    ws, _ = discover([target])
    return [p for p in ws.files if p.name.endswith(TS_EXT) and not p.name.endswith(".d.ts")
            and any(p.is_relative_to(a.functions_dir) for a in ws.apps)]


def floor(files: list[Path]) -> dict:
    import tree_sitter_typescript as tst
    from tree_sitter import Language, Parser

    ts = Parser(Language(tst.language_typescript()))
    tsx = Parser(Language(tst.language_tsx()))
    nodes = lines = 0
    t = time.perf_counter()
    for p in files:
        src = p.read_bytes()
        lines += src.count(b"\n")
        tree = (ts if p.suffix in (".ts", ".mts", ".cts") else tsx).parse(src)
        c = tree.walk()
        while True:
            nodes += 1
            if c.goto_first_child():
                continue
            while not c.goto_next_sibling():
                if not c.goto_parent():
                    break
            else:
                continue
            break
    return {"files": len(files), "lines": lines, "nodes": nodes, "seconds": time.perf_counter() - t}


if __name__ == "__main__":
    target = Path(sys.argv[1]).resolve()
    r = floor(functions_files(target))
    print(f"{r['files']} files, {r['lines']:,} lines, {r['nodes']:,} nodes: {r['seconds']:.3f} s")
