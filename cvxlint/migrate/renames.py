"""Questions the planner cannot answer alone, and the answers a user gives.

A diff cannot tell a renamed field from a removed field plus an added one, and the two need
opposite plans (copy the values vs. delete them). Like Django's `makemigrations`, the
planner asks: a *candidate* is a field removed and a field added in the same object with
the same validator, or a table removed and one added with the same document and index
fields, or other fields when every `v.id` of the old table elsewhere names the new one or most
fields are alike (a `v.id` of another table candidate alike with one of its new table, and
the one left-out and the one new field of a validator alike as one); with such a table, a removed `v.id(old)` field and an added `v.id(new)` one
are a candidate too (their values follow the copies). The default answer is No. When several removed and added fields of one object
share a validator, only pairs with alike names are asked; the others are No unless an
answer says Yes (the plan's notes name them). A backfill needs a value for existing documents, a
narrowed union needs a value for the members it drops, a float64 -> int64 change needs a
rounding rule and a string -> number (or int64) change a way to read the strings (as numbers
or as dates: `Number("2025-01-31")` is NaN and `Number("")` is 0): those are questions too.

Answers come from a TTY prompt, `--answer`, or `migrate-answers` in the config, as strings:

    rename:users.name=fullName       no-rename:users.name=fullName
    rename:users=people              no-rename:users=people
    default:users.role="member"      (JSON; int64 values as JSON integers)
    map:users.status="archived"      (the value documents holding a dropped member get)
    map:users.planId=unset           (an optional field: remove the values the new validator rejects)
    map:jobs.status=transcription_error=transcriptionError,summary_error=summaryError
                                     (one replacement per string literal the union drops; a
                                      bare side is a string, a quoted one or any other is JSON)
    convert:events.at=round          (float64 -> int64: round | floor | ceil | trunc)
    convert:tasks.due=date           (string -> number/int64: number | date, i.e. Date.parse)

A Yes naming no candidate, or two Yes renaming one field (or to one field), is a usage error:
one of them would otherwise win silently and the plan delete the other field's values.
An unanswered question is never turned into a guess: `cvxlint migrate plan` lists it and
exits with its own code (see cli.py). Rename questions block the plan itself; value
questions only block `--write`, because the plan's steps do not depend on the value.
"""

from __future__ import annotations

import difflib
import json
import re
from collections import Counter
from dataclasses import dataclass, field as dc_field, replace as dc_replace

from ..errors import UsageError
from . import vjson
from .diff import INDEX_GROUPS, Change, SchemaDiff, index_fields, table_map

ROUNDING = ("round", "floor", "ceil", "trunc")
# how strings become numbers: `number` reads "12.5" (a blank string is an error, not 0),
# `date` reads "2025-01-31" as milliseconds since the epoch (Date.parse)
STRING_PARSES = ("number", "date")
# `map:users.planId=unset`: documents whose value the new validator rejects lose the field
# (an optional field only). Kept as JSON so a plan prints and stores it like any value.
UNSET = {"$unset": True}
# what a document id looks like (base32, 32 characters and a few more); an answer for a
# `v.id` field must be one, a name like "pro-plan" never is
_ID_TEXT = re.compile(r"^[0-9a-z]{30,40}$")


def is_unset(value) -> bool:
    return value == UNSET


# `map:jobs.status=transcription_error=transcriptionError,summary_error=summaryError`: a
# replacement per dropped literal (triage G57c P3: one value for all merges states a literal
# rename keeps apart). Wrapped as UNSET is, so it is never taken for an object value.
EACH = "$each"


def each_of(value) -> dict | None:
    """The {old literal: replacement} of a per-literal answer, None for any other value."""
    if isinstance(value, dict) and set(value) == {EACH} and isinstance(value[EACH], dict):
        return value[EACH]
    return None


def read_value(kind: str, text: str):
    """A `default:` or `map:` answer's value as typed (after `=`): JSON, `unset` (map), or
    (map) `old=new,old=new`. ValueError says why it cannot be read."""
    text = text.strip()
    if text.startswith("<") and text.endswith(">"):
        raise ValueError(_PLACEHOLDER)
    try:
        return json.loads(text)
    except ValueError:
        pass
    if kind == "map" and text == "unset":
        return dict(UNSET)
    if kind == "map" and "=" in text:
        return {EACH: _read_pairs(text)}
    raise ValueError("the value must be JSON (strings in double quotes)"
                     + (", unset, or old=new,old=new" if kind == "map" else ""))


_PLACEHOLDER = "replace the <...> placeholder by one of the values it lists"
_BARE = re.compile(r"[^\s\"'{}\[\]<>=,]+")


def _read_pairs(text: str) -> dict:
    out: dict = {}
    for pair in _split_outside_quotes(text, ","):
        old, new = _pair_sides(pair)
        if old in out:
            raise ValueError(f"{old!r} is mapped twice")
        out[old] = new
    return out


def _pair_sides(pair: str) -> tuple[str, object]:
    sides = _split_outside_quotes(pair, "=", once=True)
    if len(sides) != 2 or not sides[0].strip() or not sides[1].strip():
        raise ValueError(f"cannot read {pair.strip()!r} (expected old=new)")
    old, new = sides[0].strip(), sides[1].strip()
    if old.startswith('"'):
        try:
            old = json.loads(old)
        except ValueError:
            old = None
        if not isinstance(old, str):
            raise ValueError(f"cannot read the old value in {pair.strip()!r} (a string, bare or in double quotes)")
    elif not _BARE.fullmatch(old):
        raise ValueError(f"cannot read the old value in {pair.strip()!r} (a string, bare or in double quotes)")
    if new.startswith("<") and new.endswith(">"):
        raise ValueError(_PLACEHOLDER)
    if new == "unset":
        return old, dict(UNSET)
    try:
        return old, json.loads(new)
    except ValueError:
        if not _BARE.fullmatch(new):
            raise ValueError(f"cannot read the replacement in {pair.strip()!r} (JSON, or a bare string)") from None
        return old, new


def _split_outside_quotes(text: str, sep: str, once: bool = False) -> list[str]:
    """`text` split at `sep` outside double-quoted strings and brackets."""
    parts, start, depth, quoted, escaped = [], 0, 0, False, False
    for i, ch in enumerate(text):
        if escaped:
            escaped = False
        elif quoted:
            escaped, quoted = ch == "\\", ch != '"'
        elif ch == '"':
            quoted = True
        elif ch in "[{":
            depth += 1
        elif ch in "]}":
            depth -= 1
        elif ch == sep and depth == 0 and not (once and parts):
            parts.append(text[start:i])
            start = i + 1
    return parts + [text[start:]]


def pairs_text(mapping: dict) -> str:
    """{old: new} as an answer's `old=new,old=new`: bare where it reads back as the same
    string, JSON otherwise."""
    return ",".join(f"{_old_side(o)}={_new_side(n)}" for o, n in mapping.items())


def _old_side(x: str) -> str:
    return x if _BARE.fullmatch(x) else json.dumps(x)


def _new_side(x) -> str:
    if is_unset(x):
        return "unset"
    return x if isinstance(x, str) and _BARE.fullmatch(x) and x != "unset" and not _is_json(x) else json.dumps(x)


def _is_json(text: str) -> bool:
    try:
        json.loads(text)
        return True
    except ValueError:
        return False


def literal_renames(dropped: tuple[str, ...], new_literals: list[str]) -> dict[str, str] | None:
    """Each dropped literal paired with the one new literal of the same words in another case
    style (`transcription_error` -> `transcriptionError`, `IN_PROGRESS` -> `inProgress`), or
    None unless every dropped one has exactly one such partner and no partner is shared: only
    a clear rename is suggested."""
    out: dict[str, str] = {}
    for old in dropped:
        words = _word_list(old)
        partners = [n for n in new_literals if n != old and words and _word_list(n) == words]
        if len(partners) != 1 or partners[0] in out.values():
            return None
        out[old] = partners[0]
    return out or None


# the subject may name a variant of a union table, with an `=` inside its brackets:
# default:shapes[kind="rect"].label=0
_ANSWER = re.compile(r"^(rename|no-rename|default|map|convert):((?:[^=\[]|\[[^\]]*\])+)=(.*)$", re.S)
_VARIANT = re.compile(r"\[\s*([^=\]\s]+)\s*=\s*([^\]]*?)\s*\]")


def _variant_subject(subject: str) -> str:
    """`shapes[kind=rect].label` as the plan spells it, `shapes[kind="rect"].label` (Change.
    variant_label): a discriminant value that is not JSON is the string it reads as."""
    def spell(m: re.Match) -> str:
        try:
            value = json.loads(m.group(2))
        except ValueError:
            value = m.group(2)
        return f"[{m.group(1)}={vjson.canonical(value)}]"

    return _VARIANT.sub(spell, subject)


@dataclass
class Question:
    key: str  # what an answer names: "rename:users.name=fullName", "default:users.role"
    kind: str  # rename-field | rename-table | default | map | convert
    text: str  # the question, for people
    needed_for: str  # "plan" or "write"
    answer_help: str  # how to answer it without a TTY
    table: str | None = None
    field: str | None = None
    validator: dict | None = None  # value questions: what the value must pass
    optional: bool = False  # value questions: the field may be left out (`map:t.f=unset`)
    changes: tuple[str, ...] = ()  # rename questions: the ids of the two changes whose risk waits for the answer
    choices: tuple[str, ...] = ()  # convert questions: the answers it takes
    each: tuple[str, ...] = ()  # map questions: the dropped literals an answer may map one by one
    suggested: str = ""  # map questions: the answer a clear literal rename suggests (`old=new,...`)

    def to_json(self) -> dict:
        return {"key": self.key, "kind": self.kind, "question": self.text, "needed_for": self.needed_for,
                "answer": self.answer_help}


@dataclass
class Answers:
    renames: dict[str, bool] = dc_field(default_factory=dict)  # "users.name=fullName" / "users=people" -> yes/no
    values: dict[tuple[str, str], object] = dc_field(default_factory=dict)  # ("default"|"map", "users.role") -> value
    converts: dict[str, str] = dc_field(default_factory=dict)  # "events.at" -> "round", "tasks.due" -> "date"
    used: set[str] = dc_field(default_factory=set)
    configured: set[str] = dc_field(default_factory=set)  # rename keys only the config gives (may be for an older plan)

    @classmethod
    def parse(cls, texts: list[str], origin: str = "--answer") -> "Answers":
        out = cls()
        for raw in texts:
            out.add(raw, origin)
        return out

    def add(self, raw: str, origin: str = "--answer") -> None:
        m = _ANSWER.match(raw.strip())
        if m is None:
            raise UsageError(f"{origin}: cannot read answer {raw!r} (expected e.g. rename:users.name=fullName, "
                             f"no-rename:users=people, default:users.role=\"member\", map:users.status=\"archived\" "
                             f"or convert:events.at=round)")
        kind, subject, value = m.group(1), _variant_subject(m.group(2).strip()), m.group(3).strip()
        if value.startswith("<") and value.endswith(">"):
            # the hint's placeholder pasted as it is (triage G52a P8)
            raise UsageError(f"{origin}: answer {raw!r}: {_PLACEHOLDER}"
                             + (" (strings in double quotes)" if kind in ("default", "map") else ""))
        if not subject or (kind in ("default", "map", "convert") and "." not in subject):
            raise UsageError(f"{origin}: answer {raw!r} must name a field as table.field")
        if kind in ("rename", "no-rename"):
            if not re.fullmatch(r"[A-Za-z0-9_$]+", value):
                raise UsageError(f"{origin}: answer {raw!r}: the new name must be a plain name")
            self.renames[f"{subject}={value}"] = kind == "rename"
        elif kind == "convert":
            # which of these fits the field is checked by the plan, which knows its types
            if value not in ROUNDING + STRING_PARSES:
                raise UsageError(f"{origin}: answer {raw!r}: use one of {', '.join(ROUNDING + STRING_PARSES)}")
            self.converts[subject] = value
        else:
            try:
                self.values[(kind, subject)] = read_value(kind, value)
            except ValueError as e:
                raise UsageError(f"{origin}: answer {raw!r}: {e}") from None

    def merged(self, other: "Answers") -> "Answers":
        """These answers, with `other`'s added where these say nothing (command line beats config)."""
        out = Answers(dict(other.renames), dict(other.values), dict(other.converts))
        out.renames.update(self.renames)
        out.values.update(self.values)
        out.converts.update(self.converts)
        out.configured = set(other.renames) - set(self.renames)
        return out


# --- rename candidates -------------------------------------------------------------------------


@dataclass
class RenameCandidate:
    removed: Change
    added: Change
    # False: one of several same-shape pairs in one object whose names share nothing; it is
    # not asked (No unless an answer says Yes), so n removed x m added is not n*m questions
    asked: bool = True
    # a table candidate: why it is one ("same fields and indexes", or the evidence when they differ)
    evidence: str = ""
    # a field candidate whose v.id moves with a table candidate: (old table, new table)
    retarget: tuple[str, str] | None = None
    # a field of a table candidate renamed in its copy: (old table, new table)
    within: tuple[str, str] | None = None
    # a table candidate alike only if these other tables were renamed too: ((old, new), ...)
    follows: tuple[tuple[str, str], ...] = ()

    @property
    def is_table(self) -> bool:
        return self.removed.kind == "remove-table"

    @property
    def key(self) -> str:
        if self.is_table:
            return f"{self.removed.table}={self.added.table}"
        return f"{self.removed.table}.{self.removed.field}={self.added.field.rsplit('.', 1)[-1]}"

    def question(self) -> Question:
        if self.is_table:
            text = (f"Did you rename table {self.removed.table} to {self.added.table}? ({self.evidence}; "
                    f"No = the new table starts empty and {self.removed.table}'s documents are orphaned)")
            return Question(f"rename:{self.key}", "rename-table", text, "plan",
                            f"--answer rename:{self.key}  or  --answer no-rename:{self.key}", table=self.removed.table,
                            changes=(self.removed.id, self.added.id))
        v = vjson.describe_field(self.added.new)
        moved = (f", its {self.retarget[0]} IDs becoming the IDs of their copies in {self.retarget[1]} if table "
                 f"{self.retarget[0]} was renamed to {self.retarget[1]}" if self.retarget else "")
        text = (f"Did you rename {self.removed.table}.{self.removed.field} to "
                f"{self.added.table}.{self.added.field} ({v}){moved}? (No = "
                + (f"the copies in {self.added.table} do not get the values of {self.removed.field})" if self.within
                   else f"the values of {self.removed.field} are deleted)"))
        return Question(f"rename:{self.key}", "rename-field", text, "plan",
                        f"--answer rename:{self.key}  or  --answer no-rename:{self.key}",
                        table=self.removed.table, field=self.removed.field, changes=(self.removed.id, self.added.id))


def rename_candidates(d: SchemaDiff) -> list[RenameCandidate]:
    out: list[RenameCandidate] = []
    removed = [c for c in d.changes if c.kind == "remove-field"]
    added = [c for c in d.changes if c.kind == "add-field"]
    for r in removed:
        parent = r.field.rsplit(".", 1)[0] if "." in r.field else ""
        for a in added:
            aparent = a.field.rsplit(".", 1)[0] if "." in a.field else ""
            if a.table == r.table and aparent == parent and a.variant == r.variant and \
                    vjson.canonical(a.new["fieldType"]) == vjson.canonical(r.old["fieldType"]):
                out.append(RenameCandidate(r, a))
    # One removed and one added field of the same shape: ask (users.name -> fullName). More
    # on either side (a branch merge replacing three fields by three others): ask only the
    # pairs whose names are alike; several alike pairs stay several questions (ambiguous). A
    # word most names of the group have (`Url` of `lipsyncVideoUrl`, `proxyUrl`, `sourceUrl`
    # and `r2Key`) says what the fields hold, not which is which: it pairs nothing.
    groups: dict[str, list[RenameCandidate]] = {}
    for cand in out:
        r = cand.removed
        shape = [r.table, r.field.rsplit(".", 1)[0] if "." in r.field else "", repr(r.variant), r.old["fieldType"]]
        groups.setdefault(vjson.canonical(shape), []).append(cand)
    for group in groups.values():
        if len(group) > 1:
            names = {_leaf(c.removed.field) for c in group} | {_leaf(c.added.field) for c in group}
            counts = Counter(w for n in names for w in _name_words(n))
            common = {w for w, k in counts.items() if 2 * k > len(names)}
            for cand in group:
                cand.asked = _alike(_leaf(cand.removed.field), _leaf(cand.added.field), common) or \
                    _index_follows(d, cand) or _only_exact_pair(cand, group)
    rt = [c for c in d.changes if c.kind == "remove-table"]
    at = [c for c in d.changes if c.kind == "add-table"]
    pairs = [(r, a) for r in rt for a in at if not (r.old.get("opaque") or a.new.get("opaque"))]
    # A table whose v.id follows another table candidate (squadMembers.squadId: v.id("squads")
    # -> podsMembers.podId: v.id("pods") beside squads -> pods, triage G52a P3) is alike only
    # once that rename is assumed: so candidates are found again with the ones found so far,
    # until no more come (a chain of such tables).
    found: dict[tuple[str, str], tuple[str, tuple[tuple[str, str], ...]]] = {}
    while True:
        more = {}
        for r, a in pairs:
            if (r.table, a.table) not in found:
                evidence, follows = _table_rename_evidence(d, r, a, _unique_moves(found))
                if evidence:
                    more[(r.table, a.table)] = (evidence, follows)
        if not more:
            break
        found.update(more)
    tables = []
    for r, a in pairs:
        if (r.table, a.table) in found:
            evidence, follows = found[(r.table, a.table)]
            tables.append(RenameCandidate(r, a, evidence=evidence, follows=follows))
            tables += _fields_within(r, a, _unique_moves(found))
    # A reference that follows a table candidate is a field candidate too, although its
    # validator changed (triage G26 P1: clients -> customers with invoices.clientId ->
    # customerId; without the question the plan deleted every invoice's link).
    moves = {(c.removed.table, c.added.table) for c in tables if c.is_table}
    for r in removed:
        parent = r.field.rsplit(".", 1)[0] if "." in r.field else ""
        for a in added:
            aparent = a.field.rsplit(".", 1)[0] if "." in a.field else ""
            if a.table != r.table or aparent != parent or a.variant != r.variant or \
                    a.new["optional"] != r.old["optional"]:
                continue
            move = vjson.id_retarget(r.old["fieldType"], a.new["fieldType"])
            if move in moves:
                out.append(RenameCandidate(r, a, retarget=move))
    # tables first: a reference candidate is moot once its table's rename is declined
    return tables + out


def _fields_within(removed: Change, added: Change, moves: dict[str, str]) -> list[RenameCandidate]:
    """The fields a renamed table's copy may have renamed too (clients.label ->
    customers.displayName): one left out and one new of the same shape, asked as field
    renames are (several of one shape: only the pairs with alike names). A `v.id` of another
    table candidate is of the same shape as one of its new table (`moves`: squadId:
    v.id("squads") -> podId: v.id("pods")); the copy then holds the IDs of the copies."""
    fo, fn = vjson.fields(removed.old["documentType"]), vjson.fields(added.new["documentType"])
    if not (vjson.kind(removed.old["documentType"]) == vjson.kind(added.new["documentType"]) == "object"):
        return []
    follow = {o: n for o, n in moves.items() if o != removed.table}
    # one Change per field, so that a Yes for one pair settles the others of that field
    gone = {n: Change("remove-field", removed.table, n, old=f) for n, f in fo.items() if n not in fn}
    came = {n: Change("add-field", added.table, n, new=f) for n, f in fn.items() if n not in fo}
    shape = {n: _following(f, follow) for n, f in fo.items()}
    out = []
    for x in gone:
        same = [y for y in came if vjson.canonical(fn[y]) == shape[x]]
        for y in same:
            twins = [z for z in gone if shape[z] == shape[x]]
            retarget = vjson.id_retarget(fo[x]["fieldType"], fn[y]["fieldType"])
            cand = RenameCandidate(gone[x], came[y], within=(removed.table, added.table),
                                   retarget=retarget if retarget in follow.items() else None)
            cand.asked = (len(same) == 1 and len(twins) == 1) or _alike(x, y, set())
            out.append(cand)
    return out


def _unique_moves(found) -> dict[str, str]:
    """old table -> new table of the table candidates that pair those two tables only (a table
    that may have become either of two others says nothing about where its IDs went)."""
    olds = Counter(o for o, _n in found)
    news = Counter(n for _o, n in found)
    return {o: n for o, n in found if olds[o] == 1 and news[n] == 1}


def _following(field: dict, follow: dict[str, str]) -> str:
    """A field (`{"fieldType", "optional"}`) as it reads once each table of `follow` is renamed,
    canonical: its `v.id(old)` are `v.id(new)`."""
    t = field["fieldType"]
    for o, n in follow.items():
        t = vjson.replace_ids(t, o, {"type": "id", "tableName": n})
    return vjson.canonical({**field, "fieldType": t})


def _table_rename_evidence(d: SchemaDiff, removed: Change, added: Change,
                           moves: dict[str, str]) -> tuple[str, tuple[tuple[str, str], ...]]:
    """Why a removed and an added table may be one table renamed ("" when nothing says so):
    the same fields and indexes, every `v.id` of the old table elsewhere now naming the new
    one, or most fields alike; and the other table renames (of `moves`, old -> new) that
    evidence assumes (empty when it stands on its own)."""
    old_doc, new_doc = removed.old["documentType"], added.new["documentType"]
    if vjson.canonical(old_doc) == vjson.canonical(new_doc) and _index_shapes(removed.old) == _index_shapes(added.new):
        return "same fields and indexes", ()
    fo, fn = vjson.fields(old_doc), vjson.fields(new_doc)
    before = _references(d.old, removed.table)
    # the references must be in tables both schemas have, and the two tables must share a
    # field: a dropped table's v.id does not "become" one in an added table (triage G39 P3,
    # vc83-com's authAccounts vs permissions)
    holders = _referencing_tables(d.old, removed.table)
    if before and not _references(d.new, removed.table) and _references(d.new, added.table) >= before and \
            holders <= _referencing_tables(d.new, added.table) and set(fo) & set(fn):
        return f"every v.id(\"{removed.table}\") of other tables became v.id(\"{added.table}\")", ()
    if not vjson.kind(old_doc) == vjson.kind(new_doc) == "object":
        return "", ()
    evidence = _alike_fields(fo, fn, {})
    if evidence:
        return evidence, ()
    # alike only with the v.id of other candidates following their tables (triage G52a P3)
    follow = {o: n for o, n in moves.items() if o != removed.table and o != added.table
              and any(_count_ids(f, o) for f in fo.values())}
    evidence = _alike_fields(fo, fn, follow)
    if not evidence:
        return "", ()
    assumed = " and ".join(f"{o} was renamed to {n}" for o, n in sorted(follow.items()))
    return f"{evidence}, if {assumed} too", tuple(sorted(follow.items()))


def _alike_fields(fo: dict, fn: dict, follow: dict[str, str]) -> str:
    """"n of their m fields alike" when more than half of the fields of two tables are: alike
    under one name, or the one left-out field and the one new field of the same validator
    (counted as one field, and only beside a field alike under its name: two one-field tables
    of one type are no evidence). Validators are compared as they read once each table of
    `follow` is renamed."""
    alike = [n for n in fo if n in fn and _following(fo[n], follow) == vjson.canonical(fn[n])]
    gone, came = [n for n in fo if n not in fn], [n for n in fn if n not in fo]
    pairs = [(x, y) for x in gone for y in came if _following(fo[x], follow) == vjson.canonical(fn[y])]
    names = len(set(fo) | set(fn))
    if len(pairs) == 1 and alike:
        x, y = pairs[0]
        if 2 * (len(alike) + 1) > names - 1:
            return f"{len(alike) + 1} of their {names - 1} fields alike ({x} as {y})"
    if 2 * len(alike) > names:
        return f"{len(alike)} of their {names} fields alike"
    return ""


def _references(schema: dict, table: str) -> int:
    """How many `v.id(table)` the other tables of `schema` hold."""
    return sum(_count_ids(t.get("documentType"), table) for name, t in table_map(schema).items() if name != table)


def _referencing_tables(schema: dict, table: str) -> set[str]:
    """The other tables of `schema` that hold a `v.id(table)`."""
    return {name for name, t in table_map(schema).items()
            if name != table and _count_ids(t.get("documentType"), table)}


def _count_ids(v, table: str, depth: int = 0) -> int:
    if depth > 40:
        return 0
    if isinstance(v, dict):
        own = 1 if v.get("type") == "id" and v.get("tableName") == table else 0
        return own + sum(_count_ids(x, table, depth + 1) for x in v.values())
    if isinstance(v, list):
        return sum(_count_ids(x, table, depth + 1) for x in v)
    return 0


def _index_follows(d: SchemaDiff, cand: RenameCandidate) -> bool:
    """An index kept under its name whose fields swap the removed field for the added one
    (by_author on ["author", "title"] -> ["writer", "title"]): evidence of a rename whatever
    the names say (triage G33 P10: unalike names left it unasked, and the plan deleted
    author's values)."""
    r, a = cand.removed, cand.added
    if "." in r.field or r.table != a.table:
        return False
    for c in d.changes:
        if c.kind == "change-index" and c.table == r.table:
            old, new = index_fields(c.old, c.index_kind), index_fields(c.new, c.index_kind)
            if r.field in old and [a.field if f == r.field else f for f in old] == new:
                return True
    return False


def _leaf(path: str) -> str:
    return path.rsplit(".", 1)[-1]


def _name_words(name: str) -> set[str]:
    return {w.lower() for w in re.findall(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|[0-9]+", name) if len(w) > 1}


def _word_list(name: str) -> list[str]:
    return [w.lower() for w in re.findall(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|[0-9]+", name)]


def _alike(old: str, new: str, common: set[str]) -> bool:
    """Could `new` be a new name for `old`: a word in common other than `common` (`date` ->
    `sessionDate`), one's words a run of the other's (`name` -> `fullName`), or a spelling fix
    (`adress` -> `address`)? Letters inside a word are no evidence (triage G42 P2: "date" is
    in "upDATEdAt")."""
    a, b = old.replace("_", "").lower(), new.replace("_", "").lower()
    wa, wb = _word_list(old), _word_list(new)
    return _run_of(wa, wb) or _run_of(wb, wa) or bool((_name_words(old) & _name_words(new)) - common) or \
        difflib.SequenceMatcher(None, a, b).ratio() >= 0.8


def _run_of(part: list[str], whole: list[str]) -> bool:
    return bool(part) and any(whole[i:i + len(part)] == part for i in range(len(whole) - len(part) + 1))


def _only_exact_pair(cand: RenameCandidate, group: list[RenameCandidate]) -> bool:
    """Among same-type pairs whose names share nothing, the one pair whose validators are the
    same, optionality included, on both sides (vibechecc's ratings.date -> createdAt, both
    required, beside an optional updatedAt: triage G42 P2) is evidence enough to ask."""
    def exact(c: RenameCandidate) -> bool:
        return vjson.canonical(c.removed.old) == vjson.canonical(c.added.new)

    return exact(cand) and \
        [c for c in group if exact(c) and c.removed is cand.removed] == [cand] and \
        [c for c in group if exact(c) and c.added is cand.added] == [cand]


def _index_shapes(table: dict) -> list[str]:
    shapes = []
    for kind, live, staged in INDEX_GROUPS:
        for i in table.get(live, []) + table.get(staged, []):
            shapes.append(vjson.canonical([kind, index_fields(i, kind), i.get("dimensions")]))
    return sorted(shapes)


def resolve_renames(d: SchemaDiff, answers: Answers, ask=None,
                    not_asked: list[RenameCandidate] | None = None) -> list[Question]:
    """Turn answered rename candidates into rename changes (in `d.changes`); return the
    questions still open. `ask(question) -> bool | None` asks a person (None: no answer).
    Candidates left unanswered without a question go to `not_asked`."""
    candidates = rename_candidates(d)
    _check_rename_answers(candidates, answers)
    open_questions: list[Question] = []
    skipped: list[RenameCandidate] = []
    taken: set[int] = set()
    for cand in candidates:
        if id(cand.removed) in taken or id(cand.added) in taken:
            continue  # one side is already part of a rename the user confirmed
        verdict = answers.renames.get(cand.key)
        if verdict is not None:
            answers.used.add(f"rename:{cand.key}")
        if verdict is None and not cand.asked:
            skipped.append(cand)
            continue
        if any(_declined(move, answers) for move in (cand.retarget, cand.within, *cand.follows) if move):
            continue  # a table it follows was not renamed: nothing says it was
        if verdict is None and ask is not None:
            verdict = ask(cand.question())
            if verdict is not None:
                answers.renames[cand.key] = verdict
        if verdict is None:
            open_questions.append(cand.question())
            continue
        if verdict:
            taken.update((id(cand.removed), id(cand.added)))
            _apply_rename(d, cand)
    if not_asked is not None:  # those whose fields another answer did not rename
        left = {id(c) for c in d.changes}
        not_asked.extend(c for c in skipped if id(c.removed) in left and id(c.added) in left)
    # A candidate left open while its partner was confirmed elsewhere is moot.
    return [q for q in open_questions if not _moot(q, d)]


def _check_rename_answers(candidates: list[RenameCandidate], answers: Answers) -> None:
    """A Yes must name a candidate, and no field or table may be renamed twice or be the
    target of two renames: otherwise one answer would silently win and the plan would delete
    the values the user said were renamed (exit 2 instead)."""
    by_key = {c.key: c for c in candidates}
    sources: dict[tuple, str] = {}
    targets: dict[tuple, str] = {}
    for key, yes in answers.renames.items():
        if not yes:
            continue
        cand = by_key.get(key)
        if cand is None:
            if key not in answers.configured:
                raise UsageError(f"answer rename:{key}: not a rename candidate (a rename pairs a removed "
                                 "field or table with an added one of the same shape)")
            continue
        r, a = cand.removed, cand.added
        source = (r.table, r.variant and repr(r.variant), r.field)
        target = (a.table, a.variant and repr(a.variant), a.field)
        for seen, side, what in ((sources, source, "rename the same "), (targets, target, "rename to the same ")):
            other = seen.setdefault(side, key)
            if other != key:
                name = f"{side[0]}.{side[2]}" if side[2] else side[0]
                raise UsageError(f"answers rename:{other} and rename:{key} both {what}"
                                 f"{'field' if side[2] else 'table'} {name}: keep one")


def _declined(move: tuple[str, str], answers: Answers) -> bool:
    return answers.renames.get(f"{move[0]}={move[1]}") is False


def _moot(q: Question, d: SchemaDiff) -> bool:
    left, right = q.key.split(":", 1)[1].split("=")
    if q.kind == "rename-table":
        return not (any(c.kind == "remove-table" and c.table == left for c in d.changes)
                    and any(c.kind == "add-table" and c.table == right for c in d.changes))
    table, path = left.split(".", 1)
    if any(c.kind in ("remove-table", "rename-table") and c.table == table for c in d.changes):
        return False  # a field of a table that may be or is renamed (its copy renames the field)
    added = (path.rsplit(".", 1)[0] + "." + right) if "." in path else right
    return not (any(c.kind == "remove-field" and c.table == table and c.field == path for c in d.changes)
                and any(c.kind == "add-field" and c.table == table and c.field == added for c in d.changes))


def _apply_rename(d: SchemaDiff, cand: RenameCandidate) -> None:
    if cand.within:  # the copy of the renamed table writes the field under its new name
        table = next((c for c in d.changes if c.kind == "rename-table" and c.table == cand.within[0]), None)
        if table is not None:
            table.detail.setdefault("fields", {})[cand.removed.field] = cand.added.field
        return
    i = d.changes.index(cand.removed)
    d.changes.remove(cand.added)
    d.changes.remove(cand.removed)
    r, a = cand.removed, cand.added
    if cand.is_table:
        ch = Change("rename-table", r.table, old=r.old, new=a.new, to=a.table)
        for c in d.changes:  # references that follow the table: v.id("users") -> v.id("people")
            if c.kind == "change-field" and c.detail.get("type") == "id-target" and \
                    c.detail.get("from_table") == r.table and c.detail.get("to_table") == a.table:
                c.detail["via_rename"] = True
    else:
        ch = Change("rename-field", r.table, r.field, old=r.old, new=a.new, variant=r.variant,
                    to=a.field.rsplit(".", 1)[-1])
        if cand.retarget:  # its IDs are moved to the copies (plan.py), as a v.id retarget's are
            ch.detail.update(type="id-target", from_table=cand.retarget[0], to_table=cand.retarget[1],
                             nested=vjson.kind(r.old["fieldType"]) != "id")
    d.changes.insert(min(i, len(d.changes)), ch)


# --- value questions ----------------------------------------------------------------------------


def value_question(kind: str, table: str, path: str, validator: dict, why: str, optional: bool = False,
                   variant_label: str = "", each: tuple[str, ...] = ()) -> Question:
    """`variant_label` ('[kind="rect"]') keys the question to one variant of a union table:
    two variants may need different values for a field of one name (triage G33 P4). `each`:
    the string literals a narrowed union drops, which an answer may map one by one."""
    subject = f"{table}{variant_label}.{path}"
    if kind == "default":
        text = (f"{why} What value should existing documents of {table}{variant_label} get for {path}? "
                f"({vjson.describe(validator)})")
    elif kind == "map":
        text = f"{why} What value should documents get instead? ({vjson.describe(validator)}"
        text += ", or unset: remove it)" if optional else ")"
    else:
        raise ValueError(f"not a value question: {kind}")
    id_tables = sorted({m["tableName"] for m in _id_members(validator)})
    if id_tables:
        # triage G18 P2: an ID names a document of one deployment, so no value fits them all
        text += (f" A document ID must be of an existing {' or '.join(id_tables)} document of the deployment the "
                 "migration runs on: IDs differ between dev, each preview and prod, so plan each with its own "
                 "(the migration stops at an ID its deployment does not have).")
    example = "unset" if optional and kind == "map" and vjson.kind(validator) == "id" else \
        _choices(validator, optional and kind == "map") or _example(validator)
    if kind == "map" and "[]" in example:
        # a map answer replaces whole values: an empty array pasted from the hint would empty
        # every stored one (triage G26 P3), so the hint names no value there
        example = "..."
    hint = f"--answer '{kind}:{subject}={example}'"
    suggested = ""
    if each:
        renamed = literal_renames(each, [vjson.literal_value(m) for m in vjson.members(validator)
                                         if vjson.kind(m) == "literal" and isinstance(m.get("value"), str)])
        if renamed:
            # the same words in another case style: the one answer that keeps every state apart
            suggested = pairs_text(renamed)
            text += (f" {', '.join(f'{json.dumps(o)} -> {json.dumps(n)}' for o, n in renamed.items())} "
                     f"look{'s' if len(renamed) == 1 else ''} renamed; one value for all would merge them.")
            hint = f"--answer 'map:{subject}={suggested}'  (or one value for all: {hint})"
        elif len(each) > 1:
            each_hint = ",".join(f"{_old_side(o)}=<...>" for o in each)
            hint += f"  or one replacement each: --answer 'map:{subject}={each_hint}'"
    return Question(f"{kind}:{subject}", kind, text, "write", hint,
                    table=table, field=path, validator=validator, optional=optional, each=each,
                    suggested=suggested)


def convert_question(table: str, path: str, validator: dict, why: str, from_string: bool) -> Question:
    """How to convert the values: a rounding rule (float64 -> int64) or how to read strings."""
    subject = f"{table}.{path}"
    if from_string:
        choices = STRING_PARSES
        text = (f"{why} How should the strings of {subject} be read: as numbers (a blank string is an error) "
                f"or as dates (Date.parse, milliseconds since the epoch)? ({' | '.join(choices)})")
    else:
        choices = ROUNDING
        text = f"{why} How should float64 values of {subject} be rounded to int64? ({' | '.join(choices)})"
    return Question(f"convert:{subject}", "convert", text, "write",
                    f"--answer convert:{subject}=<one of {'|'.join(choices)}>",
                    table=table, field=path, validator=validator, choices=choices)


def _id_members(v: dict, depth: int = 0) -> list[dict]:
    """Every `v.id` inside a validator (union members, array elements, object fields) where
    an answer must be an ID: not beside a string member, which takes any text as it is."""
    if depth > 20 or not isinstance(v, dict):
        return []
    out = []
    ms = vjson.members(v)
    any_text = any(vjson.kind(m) in ("string", "any") for m in ms)
    for m in ms:
        k = vjson.kind(m)
        if k == "id" and isinstance(m.get("tableName"), str) and not any_text:
            out.append(m)
        elif k == "array":
            out += _id_members(m.get("value"), depth + 1)
        elif k == "object":
            out += [i for f in vjson.fields(m).values() for i in _id_members(f["fieldType"], depth + 1)]
        elif k == "record":
            out += _id_members((m.get("values") or {}).get("fieldType"), depth + 1)
    return out


def _choices(v: dict, unset: bool) -> str:
    """The hint of a value chosen among literals, booleans or numbers: a placeholder naming
    them (`<one of "canceled"|"failed"|unset>`), not one of them. Printed as a concrete
    answer, the first literal in sorted order was pasted as the suggestion it looked like and
    rewrote every document to it (triage G52a P8); the placeholder is no JSON, so pasted
    as it is it is refused. "" where nothing is chosen: a string or ID ("..." says it), an
    object or array (the example shows the shape), or the one value a field may hold."""
    ms = vjson.members(v)
    if not any(vjson.kind(m) in ("literal", "boolean", "number", "bigint") for m in ms):
        return ""
    parts = []
    for m in ms:
        k = vjson.kind(m)
        part = {"boolean": "true|false", "number": "a number", "bigint": "an integer", "null": "null",
                "string": "a string in double quotes", "id": "a document ID in double quotes", "array": "an array",
                "object": "an object", "record": "an object"}.get(k, "a value")
        if k == "literal":
            value = vjson.literal_value(m)
            part = str(value) if vjson.is_bigint_literal(m) else json.dumps(value)
        parts.append(part)
    if unset:
        parts.append("unset")
    if len(parts) == 1 and vjson.kind(ms[0]) == "literal":
        return ""  # the field holds that value or nothing: it is the answer
    return f"<one of {'|'.join(parts)}>" if len(parts) > 1 or "|" in parts[0] else f"<{parts[0]}>"


def _example(v: dict) -> str:
    value = _example_value(v)
    return "..." if value is _NO_EXAMPLE else json.dumps(value, separators=(",", ":"))


_NO_EXAMPLE = object()


def _example_value(v: dict, depth: int = 0):
    """A value of the validator's shape to put in the hint: pasted as it is, it passes the
    check below (except an id, which must be a real document's); `{}` would not for an
    object with required fields (triage E4 P6)."""
    for m in vjson.members(v):
        k = vjson.kind(m)
        if k == "literal" and not vjson.is_bigint_literal(m):
            return vjson.literal_value(m)
        if k in ("string", "id"):
            return "..."
        if k in ("number", "bigint"):
            return 0
        if k == "boolean":
            return False
        if k == "null":
            return None
        if k == "array":
            return []
        if k == "record":
            return {}
        if k == "object":
            if depth > 20:
                return _NO_EXAMPLE
            out = {}
            for name, f in vjson.fields(m).items():
                if f["optional"]:
                    continue
                value = _example_value(f["fieldType"], depth + 1)
                if value is _NO_EXAMPLE:
                    return _NO_EXAMPLE
                out[name] = value
            return out
    return _NO_EXAMPLE


def check_value(q: Question, value):
    """A value answer must pass the field's validator (exit 2 with the reason otherwise).
    Returns the value to use: a per-literal answer, also given as a JSON object keyed by the
    dropped literals (what a user tries first, triage G57c P3), as `{EACH: {old: new}}`."""
    mapping = each_of(value)
    if mapping is None and q.each and isinstance(value, dict) and value and set(value) <= set(q.each) and \
            not vjson.conforms(value, q.validator):
        mapping = value
    if mapping is not None:
        return {EACH: _checked_each(q, mapping)}
    if is_unset(value):
        if not q.optional:
            raise UsageError(f"answer {q.key}=unset: {q.field} is required in the new schema; give a value")
        return value
    ids: list[str] = []  # the strings that stand where only a v.id fits, at any depth
    if q.validator is not None:
        try:
            vjson.value_ts(value, q.validator, lambda s, _tables: ids.append(s) or "")
        except ValueError:
            pass  # not a JSON value: conforms() below says so
    bad = next((s for s in ids if not _ID_TEXT.match(s)), None)
    if bad is not None:
        what = "" if bad == value else f" ({json.dumps(bad)})"
        raise UsageError(f"answer {q.key}={json.dumps(value)}: not a document id{what} ({vjson.describe(q.validator)}); "
                         "give an existing document's id" + (", or unset" if q.optional else ""))
    ok = vjson.conforms(value, q.validator) if q.validator is not None else None
    if ok is False:
        raise UsageError(f"answer {q.key}={json.dumps(value)}: the value does not pass {vjson.describe(q.validator)}")
    return value


def _checked_each(q: Question, mapping: dict) -> dict:
    """Every dropped literal needs its own replacement (one left out would stop the run), and
    each one must pass the new validator."""
    if not q.each:
        raise UsageError(f"answer {q.key}={pairs_text(mapping)}: one replacement per old value fits only a field "
                         "whose new union drops string literals; give one value")
    drops = ", ".join(json.dumps(x) for x in q.each)
    unknown = [k for k in mapping if k not in q.each]
    if unknown:
        raise UsageError(f"answer {q.key}={pairs_text(mapping)}: {json.dumps(unknown[0])} is not a value "
                         f"{q.field} drops (it drops {drops})")
    missing = [k for k in q.each if k not in mapping]
    if missing:
        raise UsageError(f"answer {q.key}={pairs_text(mapping)}: no replacement for "
                         f"{', '.join(json.dumps(k) for k in missing)} (give each of {drops} one)")
    for old, new in mapping.items():
        check_value(dc_replace(q, key=f"{q.key}={_old_side(old)}", each=()), new)
    return {old: mapping[old] for old in q.each}
