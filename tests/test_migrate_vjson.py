"""The planner's validator semantics against Convex's own, differentially.

`vjson.subsumes(a, b)` ("does `a` accept every value `b` accepts?") decides every risk the
planner reports and every widened schema it pushes. Here it is checked against an oracle:
convex-helpers' `validate` on the real `v` validators of the `convex` package
(tests/npm/migrations/validate.mjs). Random validator pairs
(seeded, so the run is reproducible) and values sampled from the narrower validator:

* sound: when subsumes says yes, every value `b` accepts passes `a`;
* complete: when it says no, a sampled value that `b` accepts and `a` rejects shows why
  (except where only a database tells the values apart: v.id vs v.string);
* the samples themselves mostly pass `b`, so the check is not vacuous.
"""

from __future__ import annotations

import json
import random
import subprocess

from cvxlint.migrate import vjson

from migratekit import NPM

ORACLE = NPM.parent / "validate.mjs"  # next to its node_modules, so ESM imports resolve
NAMES = ["a", "b", "c"]


def S(t, **kw):
    return {"type": t, **kw}


class Gen:
    def __init__(self, seed: int):
        self.r = random.Random(seed)

    def validator(self, depth: int = 0) -> dict:
        r = self.r
        leaf = [lambda: S("string"), lambda: S("number"), lambda: S("bigint"), lambda: S("boolean"), lambda: S("null"),
                lambda: S("any"), lambda: S("id", tableName="users"),
                lambda: S("literal", value=r.choice(["x", "y", "z"])), lambda: S("literal", value=r.choice([1, 2.5])),
                lambda: S("literal", value=r.choice([True, False]))]
        if depth >= 2 or r.random() < 0.45:
            return r.choice(leaf)()
        k = r.choice(["array", "object", "union", "record"])
        if k == "array":
            return S("array", value=self.validator(depth + 1))
        if k == "record":
            return S("record", keys=S("string"), values={"fieldType": self.validator(depth + 1), "optional": False})
        if k == "union":
            return vjson.union(*(self.validator(depth + 1) for _ in range(r.randint(2, 3))))
        names = r.sample(NAMES, r.randint(1, 3))
        return S("object", value={n: {"fieldType": self.validator(depth + 1), "optional": r.random() < 0.4}
                                  for n in sorted(names)})

    def mutate(self, v: dict) -> dict:
        """A nearby validator: what schema edits do (widen, narrow, retype a part)."""
        r = self.r
        k = vjson.kind(v)
        choice = r.random()
        if choice < 0.15:
            return self.validator(1)
        if choice < 0.3:
            return vjson.union(v, self.validator(2))  # widen by a member
        if k == "union" and choice < 0.5:
            ms = vjson.members(v)
            return vjson.union(*ms[:-1]) if len(ms) > 1 else v  # drop a member
        if k == "object":
            fs = dict(vjson.fields(v))
            name = r.choice(sorted(fs))
            op = r.choice(["optional", "required", "remove", "add", "retype"])
            if op == "optional":
                fs[name] = dict(fs[name], optional=True)
            elif op == "required":
                fs[name] = dict(fs[name], optional=False)
            elif op == "remove":
                fs.pop(name)
            elif op == "add":
                fs[r.choice(NAMES) + "2"] = {"fieldType": self.validator(2), "optional": r.random() < 0.5}
            else:
                fs[name] = dict(fs[name], fieldType=self.mutate(fs[name]["fieldType"]))
            return S("object", value=dict(sorted(fs.items())))
        if k == "array":
            return S("array", value=self.mutate(v["value"]))
        if k == "record":
            return S("record", keys=v["keys"], values={"fieldType": self.mutate(v["values"]["fieldType"]),
                                                       "optional": False})
        return self.validator(2)

    def values(self, v: dict, depth: int = 0) -> list:
        """Values `v` accepts (mostly), and a few near misses."""
        k = vjson.kind(v)
        if k == "string":
            return ["", "x", "hello"]
        if k == "number":
            return [2.5, 1, -0.5]
        if k == "bigint":
            return [{"$int64": "3"}, {"$int64": "-1"}]
        if k == "boolean":
            return [True, False]
        if k == "null":
            return [None]
        if k == "id":
            return ["k57abc"]
        if k == "any":
            return ["s", 1.5, None, {"$int64": "2"}, [True], {"k": "v"}]
        if k == "literal":
            return [vjson.literal_value(v)]
        if depth > 3:
            return []
        if k == "array":
            inner = self.values(v["value"], depth + 1)
            return [[], inner[:1], inner[:3]]
        if k == "union":
            return [x for m in vjson.members(v) for x in self.values(m, depth + 1)]
        if k == "record":
            inner = self.values(v["values"]["fieldType"], depth + 1)
            return [{}] + [{"k": x} for x in inner[:3]]
        fs = vjson.fields(v)
        base = {}
        for n, f in fs.items():
            opts = self.values(f["fieldType"], depth + 1)
            if opts and not f["optional"]:
                base[n] = opts[0]
        out = [base]
        for n, f in fs.items():
            for x in self.values(f["fieldType"], depth + 1)[:4]:
                out.append({**base, n: x})
            if f["optional"] and n in base:
                out.append({m: y for m, y in base.items() if m != n})
        return out


def oracle(pairs: list) -> list[bool]:
    assert (NPM / "convex-helpers").is_dir(), "run tests/run.sh (npm ci in tests/npm/migrations)"
    r = subprocess.run(["node", str(ORACLE)], input=json.dumps(pairs), capture_output=True, text=True, timeout=300,
                       cwd=NPM.parent)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


def _mentions_id(v: dict) -> bool:
    """Without a database the oracle cannot tell an ID from any other string."""
    return '"id"' in json.dumps(v)


def test_subsumes_agrees_with_convex_validation():
    g = Gen(20260601)
    pairs = []
    for _ in range(400):
        b = g.validator()
        a = g.mutate(b) if g.r.random() < 0.8 else g.validator()
        if g.r.random() < 0.5:
            a, b = b, a
        pairs.append((a, b, g.values(b)))
    checks = []
    for a, b, xs in pairs:
        for x in xs:
            checks.append([b, x])
            checks.append([a, x])
    results = iter(oracle(checks))
    sound = complete = accepted = sampled = ids = 0
    unsound, incomplete = [], []
    for a, b, xs in pairs:
        verdict = vjson.subsumes(a, b)
        assert verdict is not None
        witnesses = []
        for x in xs:
            in_b, in_a = next(results), next(results)
            sampled += 1
            accepted += in_b
            if in_b and not in_a:
                witnesses.append(x)
        if verdict:
            sound += 1
            if witnesses:
                unsound.append((vjson.describe(a), vjson.describe(b), witnesses[:2]))
        else:
            if witnesses:
                complete += 1
            elif _mentions_id(a) or _mentions_id(b):
                ids += 1
            else:
                incomplete.append((vjson.describe(a), vjson.describe(b)))
    assert not unsound, unsound[:5]  # never says "accepts" when Convex rejects
    assert sound >= 60 and complete >= 100, (sound, complete)
    assert accepted / sampled > 0.6, (accepted, sampled)  # the samples are mostly real values of b
    # "No" without a sampled witness: a value the sampler did not produce (an optional field
    # inside an array, a union of objects covering an object only together); must stay rare.
    assert len(incomplete) <= 0.03 * len(pairs), incomplete[:10]


def test_relation_and_union_normal_form():
    num, s = S("number"), S("string")
    assert vjson.relation(num, vjson.union(num, s)) == "widened"
    assert vjson.relation(vjson.union(num, s), num) == "narrowed"
    assert vjson.relation(num, s) == "incompatible"
    assert vjson.relation(vjson.union(s, num), vjson.union(num, s)) == "same"
    assert vjson.relation(S("id", tableName="users"), s) == "widened"
    assert vjson.subsumes(S("opaque"), s) is None  # unreadable: never a guess
    assert vjson.union(num, vjson.union(s, num)) == vjson.union(s, num)
