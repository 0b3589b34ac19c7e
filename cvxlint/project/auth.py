"""Access control: does a function find out who is calling, and act on it?

`AccessAnalysis.of(fn)` gathers the evidence, looking where real projects put their checks:

* the handler and every helper it reaches, in any file (`project.reach`), transitively;
* the functions a custom builder runs before the handler (`customQuery(query,
  customCtx(async (ctx) => ({ user: await requireUser(ctx) })))`, `project.ctx_change`);
  one that only fetches the identity and throws nothing hands a signed-out caller on
  (`viewer: identity === null ? null : ...`): then the handler must check what it adds
  (`Access.nullable_keys`);
* functions the handler runs through `ctx.runQuery/runMutation/runAction` (the caller's auth
  travels with those calls).

Evidence is one of:

* an identity fetch — `ctx.auth.getUserIdentity()`, `getAuthUserId(ctx)` /
  `getAuthSessionId(ctx)` and `auth.getUserId(ctx)` of `convexAuth()` (@convex-dev/auth),
  or a call named like one (`getCurrentUser`,
  `getViewer`, better-auth's `safeGetAuthUser`) — *whose result is used*: checked against null,
  compared, passed on, returned. A fetch whose result is thrown away protects nothing
  (`getAuthUser` of better-auth's `createClient(...)` throws without a session: a guard);
* a guard call: a name like the official plugin's pattern (`requireUser`, `assertAdmin`,
  `ensureMember`, `canEdit`, `hasAccess`), or one configured in `auth-helpers` — unless the
  handler gives it nothing but its arguments (`isAdmin(args.email)`): the caller chooses
  those, so such a guard cannot tell who is asking (`Access.caller_decides`); or a guard of
  this project that never asks `ctx.auth` (nor anything it calls), whatever it is handed
  (`Access.blind_guards`: `assertSuperAdmin(ctx, args.authKitId)`); or its body
  here reads none of its parameters, calls nothing and throws nothing (a stub);
* row-level security: convex-helpers' `wrapDatabaseReader/wrapDatabaseWriter/RowLevelSecurity`,
  convex-ents' `addEntRules` — for a function whose every table has a rule for what it does
  there, or under `defaultPolicy: "deny"` (`rls_leaves_open`): a table without one is open to anyone;
* a capability argument: the function takes the secret that grants access itself (a share
  `code`, an `inviteToken`, an anonymous `sessionId`), which the docs accept as access control;
* for queries, a filter on records marked public (`q.eq("status", "published")`,
  `doc.visibility === "public"`, `q.eq("isPublic", true)`): the data decides who sees it.

Nested blocks, `try`, early returns and helpers in other files all count: evidence anywhere
on some path is enough. When a layer cannot be read (a builder from a package, a wrapper
named only in `registrars:`), the answer is "unknown", and rules stay silent.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Callable

from ..syntax import js, scope
from ..syntax.tree import Node
from .callgraph import Reached, _awaited, returned_values
from .component_clients import SIGN_IN_METHOD_NAMES, agent_thread_use, requires_sign_in
from .definitions import Def, ExternalDef
from .evaluate import local_const, local_value, package_class_made
from .facts import CallSite, FileFacts, FunctionInfo, Ref

if TYPE_CHECKING:
    from .builders import RegisteredFunction
    from .model import Project
    from .queries import DatabaseUses, QueryChain
    from .validators import Validator

# Does this call (in this file) always throw: `AccessAnalysis._always_throws`
AlwaysThrows = Callable[[FileFacts, Node], bool]
# The secret a call hands back, and whether it may be missing: `AccessAnalysis._returned_secret`
ReturnedSecret = Callable[[FileFacts, CallSite], "tuple[str, bool] | None"]
IDENTITY_FUNCTIONS = ("getAuthUserId", "getAuthSessionId")
CONVEX_AUTH_METHODS = ("getUserId", "getSessionId")  # `auth.getUserId(ctx)` of convexAuth()
# Calls that fetch "who is calling" by name, from any library or project file.
FETCH_NAME = re.compile(
    r"^(safe)?(get|load|fetch|current)(Current|Auth|Authenticated|SignedIn|LoggedIn|My|Session)?"
    r"(User|Viewer|Identity|Me|Member|Session|Account)(Id|Identity|OrThrow|OrNull|OrFail|Or401)?$",
    re.I,
)
# Calls that check and throw (or answer yes/no), by name: the official plugin's default
# pattern plus a few spellings real projects use.
GUARD_NAME = re.compile(
    r"^(require|assert|ensure|check|verify|authorize|authenticate|must|can)([A-Z_]|$)"
    r"|^has[A-Z_]|^is(Authenticated|Authorized|Admin|Owner|Member|SignedIn|LoggedIn|Allowed)"
)
_NOT_GUARDS = frozenset(["require", "hasOwnProperty", "hasOwn", "checkValidity", "assertNever", "verifyType"])
RLS_FUNCTIONS = ("wrapDatabaseReader", "wrapDatabaseWriter", "RowLevelSecurity")
_RUN = ("runQuery", "runMutation", "runAction")
# ctx members whose use means the function reads or changes something worth protecting.
# Arguments that carry an unguessable secret: whoever holds it may act (share links, invites,
# anonymous sessions). Not `countryCode`, `sortKey`: only these spellings.
CAPABILITY_ARG = re.compile(
    r"^(code|token|secret|password|passcode|otp|nonce|sessionId|sessionToken|accessKey|apiKey|signature)$"
    r"|^(share|invite|invitation|access|auth|session|magic|reset|verification|verify|join|room|claim|api|secret|"
    r"guest|private|edit|view|signup|login|pairing|link|upload|download|refresh|device|bearer|confirmation|booking|"
    r"reservation|ticket|voucher|redeem|gift|respondent|participant|attendee|entry|recovery|backup)(Code|Token|Key|Secret|Hash)$"
    # a token someone was handed (`respondentToken`), not one a device registers to receive
    # notifications (`pushToken`: stored, never checked) nor a page cursor (`nextPageToken`)
    r"|^(?!.*(?i:push|fcm|apns|expo|notification|csrf|page|next|cursor|continuation))[a-z]\w*Token$"
    r"|^[a-z]+Session(Id|Token)$"  # an anonymous visitor's session: `contactSessionId`, `guestSessionId`
)
# Arguments naming whose data to act on: the caller can pass anyone's (CVX401, CVX403).
IDENTITY_ARG = re.compile(
    r"^(user|owner|author|creator|org|organization|team|account|workspace|tenant|member|requester|caller|actor|admin|customer|clerk|"
    r"clerkUser|clerk_user|authUser|auth_user|player|host|sender)(Id|ID|_id)?$"
    r"|^(email|userEmail|role|roles|isAdmin|isOwner|permissions?|userRole|tokenIdentifier|subject)$"
)
# a field of a user's row that says what its holder may do
ROLE_FIELD = re.compile(r"^(role|roles|userRole|permissions?|accessLevel|is(Super)?Admin|isOwner|isModerator)$")
# an id argument that names the one who calls (`adminUserId`, `requesterId`, `userId`): the
# row it picks stands for the caller, so a role test on that row is the caller's claim to the
# role. One naming someone else (`targetUserId`, `inviteeId`) picks the row acted on.
CALLER_ROW_ARG = re.compile(
    r"^(user|admin|owner|member|requester|requesting|caller|actor|acting|current|auth|performer|moderator|manager)"
    r"_?(User|Member|Account)?_?(Id|ID|_id|id)$"
)
# a yes/no argument named for what its holder may do (`canViewAll`, `isAdmin`, `hasFullAccess`,
# `bypassChecks`): passed by the caller, it is the caller's word about its own rights
PERMISSION_FLAG = re.compile(
    r"^(is(Super)?Admin|isOwner|isModerator|isStaff|admin|superuser|can[A-Z]\w*|has\w*(Access|Permissions?|Role|Rights)"
    r"|(view|see|read|edit|manage)All\w*|bypass\w*|skip\w*(Auth|Permission|Check)s?)$")
# Tables that hold people, their sessions or their money: reading them is never public by design.
PERSONAL_TABLE = re.compile(
    # ("accountability" holds no accounts; a game's or a design system's tokens are no credentials)
    r"(user|account(?!abilit)|profile|member|session|auth|payment|invoice|order|customer|subscription|subscriber|"
    r"(?<!battle)(?<!game)(?<!design)token|"
    r"secret|credential|apikey|registration|notification|message|conversation|email|address|billing|wallet|"
    r"newsletter|contact|lead|applicant|employee|staff|worker|person|people|patient|student|"
    # money moved and the payment providers' events about it (triage G55b P4)
    r"transaction|ledger|purchase|refund|payout|charge(?!r)|webhook)", re.I)
# ... unless the table is a catalogue about them: plans, offers, prices, templates, settings.
CATALOGUE_TABLE = re.compile(r"(plan|offer|price|pricing|product|catalog|template|setting|config|tier)", re.I)
# words of a check that admits only some signed-in callers (`adminQuery`, `requireTeamMember`)
_ROLE = re.compile(r"admin|staff|owner|super|moderator|manager|role|permission|team|member|org", re.I)
_USER_KEYS = frozenset(["user", "userId", "viewer", "identity", "session", "me", "currentUser", "authUser"])
RESOURCE_MEMBERS = frozenset(["db", "storage", "runQuery", "runMutation", "runAction", "scheduler", "vectorSearch"])


# what a query's filter on records marked public is shown as (Evidence.what)
PUBLIC_RECORDS_FILTER = "a filter on published/public records"


@dataclass(frozen=True, slots=True)
class Evidence:
    facts: FileFacts
    node: Node
    what: str  # "`ctx.auth.getUserIdentity()`", "`requireUser()`", "row-level security", ...
    where: str  # "handler", "builder", "helper", "runQuery"
    # Does the check ask who is calling (identity, an auth helper, row-level security) or
    # what the data is (a public-records filter)? Both protect a function that runs this one
    # through `ctx.run*` (auth is forwarded). A capability argument or a shared secret checks
    # a value the caller sends: it protects the function running this one only when that
    # value comes from its own caller (its arguments, the request), not from its own code.
    about_caller: bool = True
    argument: str | None = None  # the capability argument's name
    # an identity overridden on one side of a `?:`: the test (`!args.forOther`) that picks the
    # argument `what` instead of the caller
    switch: str | None = None
    rls: "RlsRules | None" = None  # row-level security whose rules we could read
    # of a fail-open comparison with a secret (`Access.fail_open_secrets`): the caller's value
    # whose absence skips it (`token` of `if (token && token !== secret)`), as written; None
    # when only the secret's does
    skipped_without: str | None = None


@dataclass(frozen=True, slots=True)
class RlsRules:
    """The rules of a row-level security wrapper, when written as a literal object: each
    table's rule names (`read`, `modify`, `insert` for convex-helpers; `read`, `write` for
    convex-ents), `*` for a table whose rule object we cannot read. Both libraries let every
    table without a rule through, unless convex-helpers' `defaultPolicy` is "deny"."""

    ents: bool  # `addEntRules` (guards `ctx.table`), else convex-helpers (guards `ctx.db`)
    tables: dict[str, frozenset[str]]
    deny: bool = False
    # (table, rule name) of the rules that answer the constant `true`; the write rules among
    # them are left out of `tables`' names
    allows_all: frozenset[tuple[str, str]] = frozenset()


@dataclass(frozen=True)
class IdentityFetch:
    """`ctx.auth.getUserIdentity()`, `getAuthUserId(ctx)` or `getAuthSessionId(ctx)`."""

    facts: FileFacts
    site: CallSite
    reached: Reached | None  # in the handler or a helper (None: in a builder's customization)
    used: bool
    # when not used because the check runs only for a signed-in caller: the test that skips
    # it (`identity` of `if (identity) { ...throw... }`)
    signed_in_test: str | None = None
    # when read, but only by tests that cannot stop a signed-out caller: why (`futile_null_test`)
    futile: str | None = None
    # when not used because it only adds extras a signed-in caller gets (`_only_for_extras`)
    only_extras: bool = False


@dataclass(slots=True)
class Access:
    evidence: list[Evidence] = field(default_factory=list)
    identity: list[IdentityFetch] = field(default_factory=list)  # the exact three, used or not
    unknown: bool = False  # some layer could not be read
    # public by design: `// cvxlint-public`, or a query named so (`getPublicX`, `publicQuery({...})`)
    annotated_public: bool = False
    touches_resources: bool = False  # uses ctx.db / storage / run* / scheduler (or is an action)
    resources: set[str] = field(default_factory=set)  # which of those ctx members it uses
    # calls that hand the whole ctx to code we cannot see, other than auth calls: a package's
    # data helper (`listUIMessages(ctx, components.agent, args)`) or a component client's
    # method (`agent.deleteThreadAsync(ctx, ...)`); as written (`agent.deleteThreadAsync`)
    ctx_handed_to: list[str] = field(default_factory=list)
    # each of those calls, with its callee as written there: (text, file, call)
    ctx_handed_calls: list[tuple[str, FileFacts, CallSite]] = field(default_factory=list)
    # writes, schedules or runs mutations/actions, or hands ctx (or ctx.db) to code we cannot
    # see: a mutation that does none of these only reads, as a query would
    may_write: bool = False
    caller_decides: list[Evidence] = field(default_factory=list)  # guards given only the arguments
    blind_guards: list[Evidence] = field(default_factory=list)  # guards that never ask ctx.auth who calls
    # checks whose "not signed in" error a `catch` turns into a value the handler goes on with
    swallowed: list[Evidence] = field(default_factory=list)
    # comparisons with a server secret that run only when it is set (`if (secret && header !==
    # secret) return 401`): with the variable unset, everyone gets in (what = `process.env.X`);
    # or only when the caller sends a value (`if (token && token !== secret)`, skipped_without =
    # `token`, node = the whole test): who sends none gets in
    fail_open_secrets: list[Evidence] = field(default_factory=list)
    # ... of those, the ones whose result the handler keeps, null for a signed-out caller
    # (`try { me = await requireUser(ctx) } catch { me = null }`): optional sign-in
    optional_identity: list[Evidence] = field(default_factory=list)
    # guards of this project whose answer is lost (what = why): an async one not awaited
    # (`if (!canEdit(ctx, id)) throw`), or one that throws nothing whose result is dropped
    futile_guards: list[Evidence] = field(default_factory=list)
    # in an action, `ctx.runMutation`/`runAction`/scheduler calls of the handler made before
    # any check: each commits on its own, and a later throw undoes none of them; and requests
    # the arguments choose (`fetch(args.url)`, where = "outbound", argument = the argument),
    # which go out for anyone (in the order of the handler)
    before_check: list[Evidence] = field(default_factory=list)
    # identities an argument overrides (`args.userId ?? await getAuthUserId(ctx)`): what = the argument;
    # argument = the same when it fills in for a missing identity (`if (!subject) subject =
    # (await byEmail(args.email))?.subject`)
    overridden_identity: list[Evidence] = field(default_factory=list)
    # a claim of a fetched identity an argument overrides, whose value then picks the row the
    # handler writes or returns (`const email = args.email || identity.email`, then the user
    # found by that email is relinked): node = the `||`, what = the claim, argument = the argument,
    # where = what is done with the row ("changes" or "returns")
    overridden_claims: list[Evidence] = field(default_factory=list)
    # a role test on the row of a user the arguments name (`const target = await
    # ctx.db.get(args.userId); if (target.role !== "admin") throw`) in a handler whose only
    # other check is that the caller is signed in: node = the test, what = the role read
    # (`target.role`), argument = the argument (`userId`)
    target_roles: list[Evidence] = field(default_factory=list)
    # a permission flag (`permission_flags`) an `if` of the handler tests, choosing what the
    # caller reads or may do, when the only check is that the caller is signed in (or none)
    # and nothing tests the caller's own role: node = the `if`, what = `args.canViewAll` as
    # written, argument = the flag
    claimed_permissions: list[Evidence] = field(default_factory=list)
    # a custom builder that fetches the identity but lets a signed-out caller through
    # (`viewer: identity === null ? null : ...`): the ctx members carrying it (`viewer`,
    # `viewerX`); a function built on it is protected only where it checks one of them
    nullable_keys: frozenset[str] = frozenset()
    # a custom builder's row-level security whose rules we could read (`rls_rules`), and what
    # the builder checks for a function touching a table those rules leave open (`rls_uncovered`)
    rls_rules: tuple[RlsRules, ...] = ()
    rls_uncovered: "Access | None" = None
    rls_left_open: str | None = None  # a table the builder's row-level security has no rule for, used here
    rls_rule_allows_all: bool = False  # ... or only one that answers `true`
    rls_opaque: bool = False  # ... and some whose rules we cannot read: they count for every table

    @property
    def protected(self) -> bool:
        return bool(self.evidence)

    @property
    def unused_identity(self) -> list[IdentityFetch]:
        return [i for i in self.identity if not i.used]


@dataclass(frozen=True, slots=True)
class FlagSkippedCheck:
    """A yes/no argument of a public function that turns its every check off
    (`AccessAnalysis.flag_skipped_check`)."""

    facts: FileFacts
    node: Node  # the `if` on the flag
    check: str  # the check skipped, as `Evidence.what` shows it
    flag: str  # the argument
    skipped_when: bool  # the value of the flag that skips the check


@dataclass(frozen=True, slots=True)
class UnownedWrite:
    """A write by an argument's id that nothing relates to the caller (`AccessAnalysis.unowned_writes`)."""

    facts: FileFacts
    node: Node  # the `ctx.db.patch/replace/delete(...)` call
    method: str
    argument: str
    table: str | None
    capability: str | None = None  # the capability argument that stands for the caller, if that is all
    # the tenant argument a guard admitted the caller to (`requireOrgAccess(ctx, args.orgId)`), when
    # the document written by another argument is of a table that holds that tenant's id
    # (`students.orgId: v.id("orgs")`): a write across tenants (`AccessAnalysis.crossed_tenant`)
    tenant: str | None = None


@dataclass(frozen=True, slots=True)
class FailOpenOwnerTest:
    """An ownership test that lets the caller through when the document has no owner
    (`if (org.owner && org.owner !== identity.subject) throw`), the owner field being optional
    in the schema (`AccessAnalysis.fail_open_owner_tests`)."""

    facts: FileFacts
    node: Node  # the `if` condition
    row: str  # the document's expression as written (`org`)
    table: str
    field: str


@dataclass(frozen=True, slots=True)
class UnownedThread:
    """A read or write of an agent thread named by an argument that nothing relates to the
    caller (`AccessAnalysis.unowned_threads`)."""

    facts: FileFacts
    node: Node  # the agent's call
    what: str  # the call as written (`listUIMessages`, `agent.streamText`)
    argument: str  # the thread-id argument


# the arguments that name an agent thread
_THREAD_ARGUMENT = re.compile(r"(?i)(\w*_)?thread_?id")


def _declarators(facts: FileFacts, handler) -> list[Node]:
    """The handler's `const doc = ...`, and `user = await getCurrentUser(ctx)` after `let user;`:
    what `_Mentions` follows."""
    return [d for d in facts.module.nodes_in(handler.node, "variable_declarator", "assignment_expression")
            if d.child("value" if d.type == "variable_declarator" else "right") is not None]


def _names_thread(r: Reached, spec: Node | None, doc: "_Mentions") -> bool:
    """Does the object an agent call is given name the thread `doc` follows: its `threadId`
    (`{ threadId }`, `{ threadId: args.threadId }`), or the handler's arguments handed on whole
    (`listUIMessages(ctx, components.agent, args)`, `{ ...args }`)?"""
    spec = js.unwrap(spec)
    if spec is None:
        return False
    if _is_handler_param(r.facts, r.func, spec, 1):
        return True
    if spec.type != "object":
        return False
    for p in js.object_props(spec):
        if p.spread and _is_handler_param(r.facts, r.func, js.unwrap(p.value), 1):
            return True
        if p.key == "threadId" and not p.spread and doc.in_(p.value):
            return True
    return False


@dataclass(frozen=True, slots=True)
class WholeTableDelete:
    """A delete of every row a query read from a whole table, in a public mutation that only
    checks that the caller is signed in (`AccessAnalysis.whole_table_deletes`)."""

    reached: Reached  # the function `node` is written in: the handler or a helper it reaches
    node: Node  # the `ctx.db.delete(...)` call, or the call that hands a helper the table's name
    table: str
    delete: tuple[FileFacts, Node]  # the delete call itself


@dataclass(frozen=True)
class _StorageDelete:
    """`ctx.storage.delete(id)`, read as `unowned_writes` reads a database write."""

    node: Node  # the call
    id_node: Node
    method: str = "delete"


class _Mentions:
    """The nodes of a handler that carry a value: the seeds, and the names declared from an
    expression that mentions one (`const doc = await ctx.db.get(args.id)`, then `const board =
    await ctx.db.get(doc.boardId)`), by name, as `_keys_from_identity` does."""

    def __init__(self, facts: FileFacts, seeds: list[Node], declarators: list[Node],
                 without: "_Mentions | None" = None):
        self.facts = facts
        self.seeds = seeds
        self.names: set[str] = set()
        changed = True
        while changed:
            changed = False
            for d in declarators:
                if d.type == "assignment_expression":
                    value, left = d.child("right"), d.child("left")
                    names = [left.text] if left is not None and left.type == "identifier" \
                        and left.text not in self.names else []
                else:
                    value = d.child("value")
                    names = [x for x in scope.bound_names(d) if x not in self.names]
                # a name read from both (`const member = ...eq("userId", me).eq("teamId", doc.teamId)`)
                # belongs to the other side only: it is their relation, not a second copy of either
                if names and self.in_(value) and not (without is not None and without.in_(value)):
                    self.names.update(names)
                    changed = True

    def in_(self, n: Node | None) -> bool:
        if n is None:
            return False
        return any(s.start >= n.start and s.end <= n.end for s in self.seeds) or any(
            w.type in ("identifier", "shorthand_property_identifier") and w.text in self.names
            and not self._parameter(w) for w in n.walk())

    def _parameter(self, w: Node) -> bool:
        """A callback's parameter of the same name (`users.map((user) => ...)`) is another value."""
        ref = self.facts.ref_of(w) if w.type == "identifier" else None
        return ref is not None and ref.kind == "param"


_TENANT_FIELDS = ("organizationId", "orgId", "organization", "teamId", "workspaceId", "tenantId", "companyId",
                  "organization_id", "org_id", "team_id", "workspace_id", "tenant_id")
# the arguments naming a tenant that a guard admits the caller to (`crossed_tenant`); an
# enterprise too, which a schema field does not make a tenant of the app: `users.enterpriseId`
# beside a `userType: "admin"` that runs every enterprise (triage G60c MentoLoop)
_TENANT_ARGUMENTS = frozenset([*_TENANT_FIELDS, "enterpriseId", "enterprise_id"])


def _id_of(v: "Validator", table: str | None) -> bool:
    """Does a field hold an id of `table` (`v.id("orgs")`, optional or not)?"""
    v = v.required()
    return v.kind == "id" and v.table == table


def _ids_of(v: "Validator", table: str | None) -> bool:
    """Does a field hold ids of `table`, one or a list (`v.array(v.id("students"))`)?"""
    v = v.required()
    return _id_of(v.element, table) if v.kind == "array" and v.element is not None else _id_of(v, table)
# roles over the whole deployment, not one tenant (`isPlatformStaff`, `requireSiteAdmin`, `superAdmin`)
_GLOBAL_ROLE = re.compile(r"platform|super|site[A-Z_]?[Aa]dmin|system[A-Z_]?[Aa]dmin|global[A-Z_]?[Aa]dmin", re.I)


def _multi_tenant(app) -> bool:
    """Does some table of the app's schema name a tenant (`users.orgId`)? Unknown: no."""
    schema = app.schema
    if schema is None:
        return False
    return any(table.has_field(f) for table in schema.tables.values() for f in _TENANT_FIELDS)


def convex_auth_call(project: "Project", app) -> tuple[FileFacts, Node] | None:
    """The app's `convexAuth({...})` call (@convex-dev/auth), where it sets up Convex Auth
    (`convex/auth.ts`); None when it has none."""
    memo = app.__dict__.setdefault("_convex_auth_call", {})
    if "value" not in memo:
        memo["value"] = _find_convex_auth_call(project, app)
    return memo["value"]


def convex_auth_signs_in(project: "Project", app) -> bool:
    """Do the app's users sign in through Convex Auth: it sets it up (`convexAuth({...})`) with
    some provider? Not with `providers: []`, which an app keeps while another issuer of its
    auth.config.ts (Clerk) signs users in: then no Convex Auth session exists, its
    `getAuthUserId(ctx)` does not give the caller's user, and it inserts no user. Providers
    we cannot read (a constant, a spread) may sign users in."""
    memo = app.__dict__.setdefault("_convex_auth_signs_in", {})  # asked for every finding's advice
    if "value" not in memo:
        setup = convex_auth_call(project, app)
        providers = _convex_auth_providers(setup) if setup is not None else None
        memo["value"] = setup is not None and (providers is None or providers.type != "array"
                                               or bool(providers.children))
    return memo["value"]


def convex_auth_lets_anyone_in(project: "Project", app) -> bool:
    """Does the app's Convex Auth set-up list the `Anonymous` provider
    (`@convex-dev/auth/providers/Anonymous`)? Then any visitor can sign in with one call
    (`signIn("anonymous")`), and "signed in" admits everyone."""
    setup = convex_auth_call(project, app)
    providers = _convex_auth_providers(setup) if setup is not None else None
    if providers is None or providers.type != "array":
        return False
    for p in providers.children:
        head = js.unwrap(js.callee(p)) if p.type == "call_expression" else js.unwrap(p)
        if head is not None and head.type == "identifier":
            d = project.linker.value_of(setup[0], head)
            if isinstance(d, ExternalDef) and d.module == "@convex-dev/auth/providers/Anonymous":
                return True
    return False


def _convex_auth_providers(setup: "tuple[FileFacts, Node]") -> Node | None:
    """The `providers` value of a `convexAuth({...})` call, as written (None: not readable)."""
    args = js.call_args(setup[1])
    options = js.unwrap(args[0]) if args else None
    return js.unwrap(js.object_get(options, "providers")) if options is not None and options.type == "object" else None


def convex_auth_ids_foreign(project: "Project", app) -> bool:
    """Are the "user ids" the app gets from Convex Auth (`getAuthUserId(ctx)`, `auth.getUserId`)
    another issuer's subjects? Those functions split the identity's subject on `|` and type
    it `Id<"users">`. When Convex Auth signs nobody in (no `convexAuth`, or `providers: []`)
    and auth.config.ts names only other issuers (Clerk), the subject is that issuer's user
    id (`user_2...`), no document of `users`: an app that calls them that way keeps those
    ids in its `userId` strings."""
    memo = app.__dict__.setdefault("_convex_auth_ids_foreign", {})
    if "value" not in memo:
        memo["value"] = app.auth_config_names_only_other_issuers and not convex_auth_signs_in(project, app) \
            and (convex_auth_call(project, app) is not None or any(
                i.source == "@convex-dev/auth/server" and i.imported == "getAuthUserId" and not i.type_only
                for m in app.modules.values() for i in m.facts.imports))
    return memo["value"]


def _find_convex_auth_call(project: "Project", app) -> tuple[FileFacts, Node] | None:
    for module in sorted(app.modules.values(), key=lambda m: m.facts.path):
        facts = module.facts
        if not any(i.source == "@convex-dev/auth/server" for i in facts.imports):
            continue
        for site in facts.all_calls():
            if not site.path or site.path[-1] != "convexAuth":
                continue
            d = project.linker.value_of(facts, site.callee)
            if isinstance(d, ExternalDef) and d.module == "@convex-dev/auth/server" and d.name == "convexAuth":
                return facts, site.node
    return None


def _is_handler_param(facts: FileFacts, handler, n: Node | None, index: int) -> bool:
    """Is `n` the handler's whole parameter `index` (0: ctx, 1: the arguments object), not a
    member of it (`args.x`) or a name destructured from it?"""
    ref = facts.ref_of(n) if n is not None and n.type == "identifier" else None
    return ref is not None and ref.kind == "param" and ref.func is handler and ref.index == index and not ref.path


_MISSING = object()

# settings' auth helpers -> (a call's last two names, made on a parameter) -> classify's answer
_CLASSIFIED_BY_NAME: dict[tuple, dict] = {}


class AccessAnalysis:
    def __init__(self, project: "Project"):
        self.project = project
        self.linker = project.linker
        helpers = project.settings.auth_helpers
        self._names = {h for h in helpers if not (h.startswith("/") and h.endswith("/") and len(h) > 1)}
        self._patterns = [re.compile(h[1:-1]) for h in helpers if h.startswith("/") and h.endswith("/") and len(h) > 1]
        self._memo: dict[int, Access] = {}
        self._kept: dict[int, object] = {}  # id(App) -> its `kept_per_function` store (None: none)
        self._builders: dict = {}  # Builder -> Access
        self._admin_tables: dict[int, set[str]] = {}
        self._open_reads: dict[int, dict[str, set[int]]] = {}
        self._public_read_memo: dict[int, list] = {}  # `_public_reads`
        self._secret_getters: dict[int, EnvGetter | None] = {}  # id(FunctionInfo) -> the variable it returns
        self._busy: set[int] = set()
        self._module_checks: dict[tuple, bool] = {}
        self._random_field_memo: dict[tuple[int, str], bool] = {}  # (id(App), field) -> `_written_randomly`
        self._forwarding: set[str] = set()  # run targets' arguments being followed (`_only_forwarded`)
        self._classified: dict[int, tuple] = {}  # id(CallSite) -> (classify's answer, the site)
        self._fallbacks: dict[int, tuple] = {}  # id(FunctionInfo) -> (`_fallback_params`, the function)
        # what a call's name alone decides, kept between runs of a long-lived process (the
        # editor classifies every call of the edited file again on each edit)
        self._by_name = _CLASSIFIED_BY_NAME.setdefault((frozenset(self._names), tuple(helpers)), {})
        if len(self._by_name) > 100_000:
            self._by_name.clear()

    def of(self, fn: "RegisteredFunction") -> Access:
        key = id(fn)
        hit = self._memo.get(key)
        if hit is not None:
            return hit
        if key in self._busy:  # a cycle of ctx.run* calls: no evidence from this path
            return Access()
        self._busy.add(key)
        try:
            app = fn.module.app
            kept = self._kept.get(id(app), _MISSING)
            if kept is _MISSING:
                # kept between an editor's runs for modules an edit cannot reach: a handler
                # that runs other functions (an HTTP router's webhooks) asks `of` of each
                kept = self._kept[id(app)] = self.project.derived.kept_per_function(app, "access") \
                    if app is not None else None
            out = kept.get(fn, lambda: self._compute(fn)) if kept is not None else self._compute(fn)
        finally:
            self._busy.discard(key)
        self._memo[key] = out
        return out

    def builder_access(self, builder) -> Access:
        """What a custom builder's customization checks (`unknown`: some layer could not be read)."""
        hit = self._builders.get(builder)
        if hit is not None:
            return hit
        out = self._builder_scan(builder, None)
        if out.rls_rules and not out.rls_opaque:
            # the rules leave some tables open: what protects a function that touches one
            out.rls_uncovered = self._builder_scan(builder, out.rls_rules)
        self._builders[builder] = out
        return out

    def _builder_scan(self, builder, without: tuple[RlsRules, ...] | None) -> Access:
        """`builder_access`; `without` the row-level security of these rules (and the ctx
        members it guards, `db` or the ents `table`)."""
        out = Access()
        if builder.opaque:
            out.unknown = True
        elif builder.customization_count:
            change = self.project.ctx_change(builder)
            reached = [r for ffacts, finfo in change.functions for r in self.project.callgraph.reach(ffacts, finfo)]
            for r in reached:
                self._scan(r, out, "builder")
                for site in r.func.all_calls():
                    if site.path and site.path[-1] == "addEntRules":
                        rules = self._rls_rules(r.facts, site)
                        out.rls_opaque |= rules is None
                        out.rls_rules += (rules,) if rules is not None else ()
                    elif self.classify(r.facts, site)[0] == "rls":
                        out.rls_opaque |= self._rls_rules(r.facts, site) is None
            out.rls_rules += tuple(e.rls for e in out.evidence if e.rls is not None)
            guarded: set[str] = set()
            if without is not None:
                out.evidence = [e for e in out.evidence if e.rls is None]
                guarded = {"table" if rules.ents else "db" for rules in without}
            fetched = {id(i.site.node) for i in out.identity}
            if out.evidence and all(id(e.node) in fetched for e in out.evidence) \
                    and not any(_throws(r) for r in reached):
                # only identity fetches (null for a signed-out caller), and nothing throws: the
                # builder hands on what it found, null or not; the handler must check it
                out.evidence.clear()
                keys = frozenset(self._identity_keys(change) or change.added & _USER_KEYS)
                out.nullable_keys = keys - guarded
                if not keys or len(change.functions) < builder.customization_count:
                    out.unknown = True  # we cannot tell where the identity goes, or a layer is unread
            elif not out.evidence and out.swallowed:
                # `try { user = await requireUser(ctx) } catch { user = null }`: a signed-out
                # caller gets `ctx.user === null`, which the handler must check
                out.nullable_keys = frozenset(self._identity_keys(change) or change.added & _USER_KEYS)
                if not out.nullable_keys or len(change.functions) < builder.customization_count:
                    out.unknown = True
            elif not out.evidence and change.added & _USER_KEYS:
                facts, node = (builder.factory.facts, builder.factory.call) if builder.factory is not None \
                    else (builder.layers[0].facts, builder.layers[0].call)
                out.evidence.append(Evidence(facts, node, f"the `{builder.name}` builder's `ctx.user`", "builder"))
            if not out.evidence and not out.nullable_keys and not change.known:
                out.unknown = True
        return out

    def _identity_keys(self, change) -> set[str]:
        """The ctx members a customization adds whose value comes from an identity fetch:
        `viewer` and `viewerX` of `return { viewer, viewerX }` after `const viewer = identity
        === null ? null : ...` and `const viewerX = () => { if (viewer === null) throw ...;
        return viewer }`, also when the customization returns a helper's result
        (`customCtx(async (ctx) => await withViewer(ctx))`)."""
        keys: set[str] = set()
        for ffacts, finfo in change.functions:
            keys |= self._keys_from_identity(ffacts, finfo, 0)
        return keys

    def _keys_from_identity(self, facts: FileFacts, func, depth: int) -> set[str]:
        if func.body is None or depth > 3:
            return set()
        sites = {id(site.node): site for site in func.all_calls()}
        seeds = [site.node for site in sites.values() if self._fetches_identity(facts, site)]
        tainted: set[str] = set()
        declarators = [d for d in facts.module.nodes_in(func.node, "variable_declarator") if d.child("value") is not None]

        def carries(n: Node) -> bool:
            return any(s.start >= n.start and s.end <= n.end for s in seeds) or any(
                w.type in ("identifier", "shorthand_property_identifier") and w.text in tainted for w in n.walk())

        changed = True
        while changed:  # names whose value comes from the identity, through locals and closures
            changed = False
            for d in declarators:
                names = [x for x in scope.bound_names(d) if x not in tainted]
                if names and carries(d.child("value")):
                    tainted.update(names)
                    changed = True
        body = func.body
        returned = [body] if body.type != "statement_block" else \
            [r.children[0] for r in js.return_statements(func.node) if r.children]
        keys: set[str] = set()

        def keys_of(value: Node | None, in_input: bool, hops: int = 0) -> None:
            value = js.unwrap(value)
            if value is not None and value.type == "await_expression" and value.children:
                value = js.unwrap(value.children[0])
            if value is not None and value.type == "identifier" and in_input:
                if hops < 4:  # `const c = await withViewer(base); return { ctx: c, args }`
                    keys_of(local_const(facts, value), True, hops + 1)
                return
            if value is None:
                return
            if value.type == "call_expression":  # `return await withViewer(ctx)`
                site = sites.get(id(value))
                target = self.project.callgraph.callee(facts, site) if site is not None else None
                if target is not None:
                    keys.update(self._keys_from_identity(*target, depth + 1))
                return
            if value.type != "object":
                return
            inner = js.object_get(value, "ctx") if not in_input else None
            if inner is not None:
                # `input: async (ctx, args) => ({ ctx: { user } | await withViewer(ctx), args })`:
                # the members are those of the ctx it returns, never a member named `ctx`
                keys_of(inner, True)
                return
            for prop in js.object_props(value):
                if prop.key is not None and not prop.spread and prop.value is not None and carries(prop.value):
                    keys.add(prop.key)

        for value in returned:
            keys_of(value, False)
        return keys

    def _fetches_identity(self, facts: FileFacts, site: CallSite) -> bool:
        """An identity fetch, or a call of a project helper that makes one. (Better Auth's
        `getAuthUser`, a guard, returns the caller as well.)"""
        if self.classify(facts, site)[0] in ("identity", "fetch") or requires_sign_in(self.linker, facts, site):
            return True
        target = self.project.callgraph.callee(facts, site)
        return target is not None and any(self.classify(r.facts, s)[0] == "identity"
                                          for r in self.project.callgraph.reach(*target) for s in r.func.all_calls())

    def of_function(self, facts: FileFacts, func, ctx_at: tuple[str, ...] = ()) -> Access:
        """Evidence in a plain function and what it calls (an inline `httpAction(async ...)`, a
        Hono route's handler, whose ctx is `c.env`: `ctx_at`)."""
        out = Access()
        for r in self.project.callgraph.reach(facts, func, ctx_at):
            self._scan(r, out, "handler" if r.depth == 0 else "helper")
        return out

    def configured(self, name: str) -> bool:
        return name in self._names or any(p.search(name) for p in self._patterns)

    # -----------------------------------------------------------------------------------
    def _compute(self, fn: "RegisteredFunction") -> Access:
        out = Access(annotated_public=marked_public(fn))
        if fn.builder.is_custom:
            built = self.builder_access(fn.builder)
            if built.rls_uncovered is not None:
                left_open = [self.rls_leaves_open(fn, rules) for rules in built.rls_rules]
                if all(left_open):
                    first_rules = built.rls_rules[0]
                    built = built.rls_uncovered
                    out.rls_left_open = left_open[0]
                    out.rls_rule_allows_all = any(t == left_open[0] for t, _rule in first_rules.allows_all)
            out.evidence.extend(built.evidence)
            out.identity.extend(built.identity)
            out.unknown = built.unknown
        if fn.handler is None:
            out.unknown = True
            return out
        reached = self.project.reach(fn)
        ents = fn.module.app.uses_ents
        for r in reached:
            self._scan(r, out, "handler" if r.depth == 0 else "helper")
            for _use, path in r.ctx_uses():
                if path and path[0] in RESOURCE_MEMBERS:
                    out.touches_resources = True
                    out.resources.add(path[0])
                elif ents and path[:1] == ("table",):
                    out.touches_resources = True  # Convex Ents: `ctx.table("users")` is the database
                    out.resources.add("db")
            for text, site in self.package_ctx_calls(r):
                out.touches_resources = True
                if text not in out.ctx_handed_to:
                    out.ctx_handed_to.append(text)
                out.ctx_handed_calls.append((text, r.facts, site))
            if fn.kind == "mutation" and not out.may_write:
                out.may_write = self._may_write(r, ents)
        if fn.kind in ("query", "mutation"):
            self._helpers_stopping_first(reached, out, ents)
        self._owner_comparisons(fn, reached, out)
        if fn.builder.is_custom and built.nullable_keys:
            out.nullable_keys = built.nullable_keys
            found = _checks_builder_value(reached, built.nullable_keys)
            if found is not None:
                out.evidence.append(Evidence(found[0], found[1], f"`ctx.{found[2]}` of the `{fn.builder.name}` builder",
                                             "handler"))
        if fn.kind in ("action", "httpAction") and not _reaches_nothing(reached, self.project.linker):
            out.touches_resources = True  # actions reach the outside world (fetch, paid APIs)
        if not out.evidence and fn.kind == "query" and self._named_public(fn):
            out.annotated_public = True  # `getPublicProfile`, `public/feed:list`: named public on purpose
        if not out.evidence and fn.kind == "query":
            found = self._public_records_filter(fn, reached)
            tables = self.tables_read(fn) if found is None else []
            if any(CATALOGUE_TABLE.search(t) for t in tables) and not self._about_people(fn, tables):
                # `plans.filter((p) => p.active)`: an active plan is for sale; an active user (or
                # server, or care file) is not public
                found = next((f for r in reached if (f := _public_filter(r, _CATALOGUE_FLAG)) is not None), None)
            if found is not None:
                out.evidence.append(Evidence(found[0], found[1], PUBLIC_RECORDS_FILTER, "handler"))
        fetched = {id(i.site.node) for i in out.identity}
        if out.unknown or any(id(e.node) not in fetched for e in out.evidence):
            out.target_roles = []  # something else (a guard, the builder, the caller's own row) may check the role
        elif flags := self.permission_flags(fn):
            start = reached[0]
            out.claimed_permissions = _claimed_permissions(start, flags, self._guard_call(start))
        if not out.evidence:
            cap = self._capability(fn)
            if cap is not None:
                out.evidence.append(Evidence(fn.facts, fn.args_node or fn.call, f"the capability argument `{cap}`",
                                             "args", about_caller=False, argument=cap))
        if fn.kind == "action" and out.evidence:
            out.before_check = self._effects_before_check(fn, reached, out.evidence)
        return out

    def _helpers_stopping_first(self, reached: list[Reached], out: Access, ents: bool) -> None:
        """Count the identity fetch of a helper whose result the handler drops when the helper
        returns (or throws) on null before anything it, or the handler, uses: `getOrCreateViewer(ctx)`
        that starts with `if (!identity) return null`, then reads and writes the caller's row,
        called by a handler that does nothing else with ctx. A signed-out caller gets nothing."""
        for k, i in enumerate(out.identity):
            r = i.reached
            if i.used or r is None or not r.via or i.futile is not None or i.signed_in_test is not None \
                    or i.site.func is not r.func or r.func.body is None or reached_through_lost_promise(r) \
                    or _swallowed(r, i.site.node, self._always_throws):
                continue
            exits = [b.parent for read in _reads_of_value(_value_of(i.site.node))
                     if (b := _exit_if_null(read)) is not None and b.parent is not None and b.parent.parent is r.func.body]
            if not exits or not all(self._uses_after(other, r, exits[0], ents) for other in reached):
                continue
            out.identity[k] = IdentityFetch(i.facts, i.site, r, True)
            out.evidence.append(Evidence(i.facts, i.site.node, self.classify(i.facts, i.site)[1], "helper"))

    def _owner_comparisons(self, fn: "RegisteredFunction", reached: list[Reached], out: Access) -> None:
        """Count an identity the handler reads only through `?.` when it compares that with a
        required argument to decide what to do (`const isOwner = viewer?._id === args.userId`,
        then `rows.filter((r) => isOwner || r.public)`): a signed-out caller is never the owner,
        just as with `viewer !== null && viewer._id === args.userId`. (An optional argument
        could be left out: `undefined === undefined`.)"""
        handler = reached[0] if reached and not reached[0].via else None
        val = self.project.args_validator(fn)
        if handler is None or val is None or val.required().kind != "object":
            return
        required = {name for name, f in val.required().fields.items() if not f.is_optional}
        for k, i in enumerate(out.identity):
            r = i.reached
            if i.used or r is None or len(r.via) > 1 or i.futile is not None or i.signed_in_test is not None:
                continue
            call = r.via[0][1].node if r.via else i.site.node
            if r.via and not result_used(i.site.node) and not _returns_optional_read(i.site.node):
                continue  # the helper drops what it fetched: what it returns is not the caller
            if any(_owner_test(handler, read, required) for read in _reads_of_value(_value_of(call))):
                out.identity[k] = IdentityFetch(i.facts, i.site, r, True)
                out.evidence.append(Evidence(i.facts, i.site.node, self.classify(i.facts, i.site)[1],
                                             "handler" if not r.via else "helper"))

    def _uses_after(self, other: Reached, helper: Reached, exit_stmt: Node, ents: bool) -> bool:
        """Does `other` touch the handler's ctx (its resources, or handing it to code we cannot
        see) only after `exit_stmt` of `helper` has run: in `helper` after it, or in a function
        `helper` calls after it?"""
        n = len(helper.via)
        under = len(other.via) >= n and all(a[1] is b[1] for a, b in zip(other.via, helper.via))
        if under and (other is helper or len(other.via) > n and other.via[n][1].node.start >= exit_stmt.end
                      and _precedes_on_every_path(exit_stmt, other.via[n][1].node)):
            return other is not helper or all(
                _precedes_on_every_path(exit_stmt, use.node) for use, path in other.ctx_uses()
                if path and (path[0] in RESOURCE_MEMBERS or ents and path[0] == "table")) and all(
                _precedes_on_every_path(exit_stmt, site.node) for site, _path in self._ctx_handed_on(other))
        return not any(path and (path[0] in RESOURCE_MEMBERS or ents and path[0] == "table")
                       for _use, path in other.ctx_uses()) and next(self._ctx_handed_on(other), None) is None

    def _effects_before_check(self, fn: "RegisteredFunction", reached: list[Reached],
                              evidence: list[Evidence]) -> list[Evidence]:
        """The handler's own `ctx.runMutation`/`runAction`/`ctx.scheduler` calls that come
        before its first check, when every check is in the handler or a helper it calls. An
        action is no transaction: each of these commits on its own, and a later throw undoes
        none. (A query or mutation rolls back on a throw: there the order does not matter.)"""
        handler = reached[0] if reached and not reached[0].via else None
        checks = [e for e in evidence if self._may_refuse(e, 0)]
        if handler is None or not checks:
            return []  # nothing that throws comes later (a run of a query of published records)
        first = None
        for e in checks:
            at = None
            if e.where in ("handler", "runQuery", "helper"):
                for r in reached:
                    if r.facts is e.facts and r.func.node.start <= e.node.start < r.func.node.end:
                        at = (r.via[0][1].node if r.via else e.node).start
                        break
            if at is None:
                return []  # a builder's, an argument's, or one we cannot place: it may come first
            first = at if first is None else min(first, at)
        found = []
        for site, path in handler.ctx_calls():
            if site.node.start < first and js.enclosing_function(site.node) is handler.func.node \
                    and path in (("runMutation",), ("runAction",), ("scheduler", "runAfter"), ("scheduler", "runAt")):
                found.append(Evidence(handler.facts, site.node, f"`ctx.{'.'.join(path)}`", "handler"))
        found.extend(_requests_before(handler, reached, first))
        return sorted(found, key=lambda e: e.node.start)

    def _may_refuse(self, e: Evidence, depth: int) -> bool:
        """Can this evidence stop a caller it does not admit (a check that throws)? A filter on
        published records admits everyone to what it reads; a `ctx.run*` of a function is a
        check when that function's own evidence is one."""
        if e.what == PUBLIC_RECORDS_FILTER:
            return False
        if e.where != "runQuery":
            return True
        targets = self._run_targets(e.node)
        if targets is None or depth >= 4:
            return True
        return all(any(self._may_refuse(x, depth + 1) for x in self.of(t).evidence) for t in targets)

    def _database_uses(self, fn: "RegisteredFunction", reached: list[Reached]) -> "DatabaseUses":
        """The database uses of `fn`: the app's when they are built already, otherwise those of
        the functions of its handler's file (one build per file: the editor lints one file, and
        building every function's uses on each edit costs more than the rest of a query's
        access analysis)."""
        app = fn.module.app
        if "queries" in vars(app):
            return app.queries
        from .queries import uses_touching

        home = next((r.facts for r in reached if r.depth == 0), fn.module.facts)
        return uses_touching(self.project, app, frozenset([home.path]))

    def _public_records_filter(self, fn: "RegisteredFunction", reached: list[Reached]
                               ) -> tuple[FileFacts, Node] | None:
        """A filter on records marked public (`_public_filter`) that covers what the query hands
        out. One written on a database query (`withIndex("by_status", (q) => q.eq("status",
        "LIVE"))`, or the same equality in `.filter`) narrows that table only: it speaks for the
        rows it keeps and for rows read from them (a published post's author), not for another
        table the query reads on its own (every `users` row, or one the caller names by id),
        which still needs a check. A test in code (`!page.published`, `docs.filter((d) =>
        d.isPublic)`) cannot be tied to a table: it covers the whole query."""
        if not any(_PUBLIC_HINT.search(r.facts.source, r.func.node.start, r.func.node.end) for r in reached):
            return None  # no word any such filter is made of: most queries, read no further
        queries = self._database_uses(fn, reached)
        calls = queries.calls_of(fn)
        ids = {id(c) for c in calls}
        chains = [ch for ch in queries.chains if id(ch.call) in ids]
        public: set[str] = set()
        first: tuple[FileFacts, Node] | None = None
        for ch in chains:
            node = _public_narrowing(ch)
            if node is not None and ch.table is not None:
                public.add(ch.table)
                first = first or (ch.facts, node)
        spans = [(ch.facts, ch.call.node.start, max([ch.call.node.end, *(s.node.end for s in ch.steps),
                                                     *([ch.terminal_node.end] if ch.terminal_node else [])]))
                 for ch in chains if ch.table is not None]
        for r in reached:
            for n in _public_filter_nodes(r):
                if not any(f is r.facts and start <= n.start and n.end <= end for f, start, end in spans):
                    return next((f for r in reached if (f := _public_filter(r)) is not None), None)
        if not public:
            return None  # each such test sits in a query the model reads, and none narrows it
        r0 = next((r for r in reached if r.depth == 0), None)
        for ch in chains:
            if ch.table is None or ch.table in public or ch.system or _discarded_read(ch.call.node):
                continue
            if r0 is not None and all(_literal_or_argument(r0, v) for v in _compared_values(ch)):
                return None  # `ctx.db.query("users").take(50)`: not rows of the public records
        for c in calls:
            if c.method != "get" or c.system or _discarded_read(c.node) or r0 is None or c.func is not r0.func:
                continue
            table = c.table or queries.table_of(c.facts, c.id_node)
            if table is not None and table not in public and handler_argument(r0, js.unwrap(c.id_node)) is not None:
                return None  # a row of another table the caller names
        return first

    def unowned_writes(self, fn: "RegisteredFunction", queries: "DatabaseUses | None" = None) -> list["UnownedWrite"]:
        """The handler's `ctx.db.patch/replace/delete` of a document whose id is one of its
        arguments (or the `_id` of the row read by one, `_argument_row_id`), in a public
        mutation that establishes who is calling (an identity fetch, an auth guard, a custom
        builder's ctx, or only a capability argument that it looks a row up by: a widget's
        session id), when nothing in the handler relates that document to the caller: no
        comparison or call that mentions both the document (the argument, a
        row read by it, a row read from that row) and the caller (the identity, what was read
        or computed from it, the builder's ctx members), and no helper given the id that itself
        asks who is calling (see `_relates`). Silent for a caller admitted for a role over the
        whole deployment (`_global_role`), and for one whose row is tested for a role in an app
        whose schema has no tenant field (`orgId`, `teamId`, ...): an admin of the one tenant.
        `queries`: database uses that hold `fn`'s (by default, those of its file's functions unless
        the app's are built: `_database_uses`)."""
        if fn.kind != "mutation" or not fn.is_public or fn.handler is None or fn.module.app.layout.is_component:
            return []
        access = self.of(fn)
        # a widget's session id (or another capability) that the handler looks up is who is
        # calling: the row it finds is the caller's, and a document another argument names must
        # be tied to it (`conversation.sessionId !== session._id`) as to a signed-in user
        capability = access.evidence[0].argument if len(access.evidence) == 1 \
            and access.evidence[0].where == "args" else None
        if access.unknown or access.annotated_public or access.ctx_handed_to or not access.evidence \
                or any(e.rls is not None or (not e.about_caller and capability is None)
                       or "row-level security" in e.what for e in access.evidence) or access.rls_rules:
            return []  # row-level security relates every document to the caller, where it has rules
        handler = fn.handler
        r0 = next((r for r in self.project.reach(fn) if r.depth == 0), None)
        if r0 is None or handler.body is None:
            return []
        facts = r0.facts
        capability_reads = [n for n in self.argument_reads(fn, capability) if n is not None] if capability else []
        if queries is None:
            queries = self._database_uses(fn, list(self.project.reach(fn)))
        if capability is not None and not _looked_up_in_database(fn, queries, capability_reads):
            return []  # a token verified with the deployment's key: whoever holds it may write anything
        writes = [c for c in queries.calls_of(fn)
                  if c.func is handler and c.method in ("insert", "patch", "replace", "delete") and not c.system]
        # a stored file deleted by its id (`ctx.storage.delete(args.fileId)`) is a write as well
        writes += [_StorageDelete(site.node, args[0]) for site, path in r0.ctx_calls()
                   if path == ("storage", "delete") and (args := js.call_args(site.node))]
        by_id = [(c, arg) for c in writes if c.method != "insert"
                 and (arg := handler_argument(r0, js.unwrap(c.id_node))
                      or _argument_row_id(r0, queries, self.project.callgraph, js.unwrap(c.id_node))) is not None]
        if not by_id:
            return []
        sites = {id(site.node): site for site in handler.all_calls()}
        guards, caller_seeds, guarded = self._caller_seeds(fn, r0, sites)
        caller_seeds += capability_reads
        if self._global_role(fn, facts, guards):
            return []
        declarators = _declarators(facts, handler)
        # what is written or scheduled (`{ editedBy: me }`, `runAfter(0, ..., { id, orgName })`) checks nothing
        written = [c.node for c in writes] + [site.node for site in sites.values()
                                              if site.path[:1] == ("scheduler",) and site.ref is not None
                                              and site.ref.kind == "param"]
        role_checked = None
        out: list[UnownedWrite] = []
        for call, arg in by_id:
            doc_seeds = [n for n in self.argument_reads(fn, arg) if n is not None]
            doc = _Mentions(facts, doc_seeds, declarators)
            caller = _Mentions(facts, caller_seeds, declarators, without=doc)
            if self._relates(facts, handler, sites, doc, caller, written):
                continue
            if role_checked is None:
                role_checked = self._role_checked(fn, facts, handler, caller, queries)
            if role_checked and (not _multi_tenant(fn.module.app)
                                 or self._role_rows_untenanted(fn, facts, handler, role_checked, queries)):
                continue
            table = "_storage" if isinstance(call, _StorageDelete) else \
                queries.table_of(facts, call.id_node) if call.id_node is not None else None
            tenant = self.crossed_tenant(fn, guarded, arg, table) if capability is None else None
            out.append(UnownedWrite(facts, call.node, call.method, arg, table, capability, tenant))
        return out

    def _caller_seeds(self, fn: "RegisteredFunction", r0: Reached, sites: dict
                      ) -> tuple[list[CallSite], list[Node], list[str]]:
        """What in the handler stands for the caller (`unowned_writes`, `unowned_threads`): (the
        identity fetches and auth guards, the nodes that carry the caller: those calls, the
        custom builder's ctx members, the arguments a guard was given, and those arguments)."""
        facts = r0.facts
        added = self.project.ctx_change(fn.builder).added - RESOURCE_MEMBERS if fn.builder.is_custom else set()
        guards = [site for site in sites.values() if self._fetches_identity(facts, site)
                  or self.classify(facts, site)[0] == "guard"]
        caller_seeds = [site.node for site in guards]
        caller_seeds += [use.node for use, path in r0.ctx_uses() if path[:1] and path[0] in added]
        guarded: list[str] = []
        for site in guards:
            # an argument a guard checks against the caller (`requireOrgMember(ctx, args.orgId)`)
            # speaks for the caller: a document compared with it is the caller's
            for a in js.call_args(site.node):
                name = handler_argument(r0, js.unwrap(a))
                if name is not None:
                    guarded.append(name)
                    caller_seeds += [n for n in self.argument_reads(fn, name) if n is not None]
        return guards, caller_seeds, guarded

    def unowned_threads(self, fn: "RegisteredFunction") -> list["UnownedThread"]:
        """The handler's reads and writes of an agent thread (`agent_thread_use`: `listUIMessages`,
        `saveMessage`, `agent.streamText(ctx, { threadId })`, ...) named by a thread-id
        argument (`threadId`, or a value made from it), in a public function that establishes
        who is calling, when nothing in the handler relates the thread to the caller, as
        `unowned_writes` reads that (`_relates`): the thread's metadata compared with the
        identity, an app table queried by both, a helper given the id that asks who is calling
        (or named as a guard, `authorizeThreadAccess`). The agent's own calls relate nothing, nor does
        reading the thread's metadata: the comparison of what it returns does. A thread the
        function makes itself (`createThread`) is no argument."""
        if not fn.is_public or fn.handler is None or fn.module.app.layout.is_component:
            return []
        val = self.project.args_validator(fn)
        own = val.required() if val is not None else None
        names = [n for n in own.fields if _THREAD_ARGUMENT.fullmatch(n)] if own is not None and own.kind == "object" \
            else []
        if not names:
            return []
        access = self.of(fn)
        if access.unknown or access.annotated_public or not access.evidence \
                or not all(e.about_caller and e.rls is None for e in access.evidence) or access.rls_rules:
            return []
        r0 = next((r for r in self.project.reach(fn) if r.depth == 0), None)
        handler = fn.handler
        if r0 is None or handler.body is None:
            return []
        facts = r0.facts
        sites = {id(site.node): site for site in handler.all_calls()}
        uses = [(site, use) for site in sites.values()
                if (use := agent_thread_use(self.linker, facts, site)) is not None]
        if not any(not use.lookup for _site, use in uses):
            return []
        guards, caller_seeds, _guarded = self._caller_seeds(fn, r0, sites)
        if self._global_role(fn, facts, guards):
            return []
        declarators = _declarators(facts, handler)
        # the agent's calls, and what is scheduled, check nothing
        written = [site.node for site, _use in uses] + [
            site.node for site in sites.values()
            if site.path[:1] == ("scheduler",) and site.ref is not None and site.ref.kind == "param"]
        queries = None
        out: list[UnownedThread] = []
        for name in names:
            doc = _Mentions(facts, [n for n in self.argument_reads(fn, name) if n is not None], declarators)
            caller = _Mentions(facts, caller_seeds, declarators, without=doc)
            found = [(site, use) for site, use in uses if not use.lookup and _names_thread(r0, use.spec, doc)]
            if not found or self._relates(facts, handler, sites, doc, caller, written):
                continue
            if queries is None:
                queries = self._database_uses(fn, list(self.project.reach(fn)))
            role = self._role_checked(fn, facts, handler, caller, queries)
            if role and (not _multi_tenant(fn.module.app) or self._role_rows_untenanted(fn, facts, handler, role, queries)):
                return []
            out += [UnownedThread(facts, site.node, use.what, name) for site, use in found]
        return out

    def takes_tenant_and_id(self, fn: "RegisteredFunction") -> bool:
        """Does a public mutation take a tenant id (`_TENANT_ARGUMENTS`) and another argument
        that is an id: what a write across tenants (`crossed_tenant`) needs, told from its
        validator alone before the handler is read."""
        if fn.kind != "mutation" or not fn.is_public:
            return False
        val = self.project.args_validator(fn)
        own = val.required() if val is not None else None
        if own is None or own.kind != "object" or not any(name in _TENANT_ARGUMENTS for name in own.fields):
            return False
        return any(name not in _TENANT_ARGUMENTS and f.required().kind in ("id", "string")
                   for name, f in own.fields.items())

    def takes_account_id(self, fn: "RegisteredFunction") -> bool:
        """Does a public mutation take the id of an account (`v.id("users")` of a table of
        people, `account_table`): what deleting an account by an argument (`account_deletes`)
        needs, told from its validator and the schema before the handler is read."""
        if fn.kind != "mutation" or not fn.is_public:
            return False
        return any(account_table(fn.module.app, table) for table in self._id_arguments(fn))

    def account_deletes(self, fn: "RegisteredFunction", writes: list[UnownedWrite] | None = None
                        ) -> list[UnownedWrite]:
        """Of the unowned writes (`writes`, by default `unowned_writes(fn)`), the deletes of
        an account (`account_table`) by an argument's id, in a public mutation whose only
        check is that the caller is signed in (`only_signed_in`): any signed-in user deletes
        anyone's account. Not a write across tenants (`crossed_tenant`), nor one by a
        capability argument: those are other findings."""
        if not self.takes_account_id(fn):
            return []  # (asked first: most mutations take no account's id)
        app = fn.module.app
        if writes is None:
            writes = self.unowned_writes(fn)
        found = [w for w in writes if w.method == "delete" and w.capability is None and w.tenant is None
                 and w.table is not None and account_table(app, w.table)]
        return found if found and self.only_signed_in(fn) else []

    def crossed_tenant(self, fn: "RegisteredFunction", guarded: list[str], argument: str,
                       table: str | None) -> str | None:
        """Of the arguments an auth guard was given (`guarded`), the tenant id
        (`requireOrgAccess(ctx, args.orgId)`: named for a tenant, `_TENANT_ARGUMENTS`) that the
        table of a document written by another argument (`argument`) holds: a field of
        `v.id` of the tenant's table (`students.orgId: v.id("orgs")`, for `orgId:
        v.id("orgs")`), a field of the argument's own name when the argument is no `v.id`, or
        the tenant's table listing the table's ids (`enterprises.students:
        v.array(v.id("students"))`). The guard admits the caller to that tenant only, so a
        document of another tenant named by the second id is written across tenants. None
        when the schema cannot tell."""
        schema = fn.module.app.schema
        written = schema.table(table) if schema is not None and table is not None else None
        val = self.project.args_validator(fn)
        own = val.required() if val is not None else None
        if written is None or not written.known or own is None or own.kind != "object":
            return None
        for name in dict.fromkeys(guarded):
            given = own.fields.get(name)
            if name == argument or name not in _TENANT_ARGUMENTS or given is None:
                continue
            given = given.required()
            if given.kind != "id":
                if written.has_field(name):
                    return name
                continue
            if any(_id_of(f, given.table) for f in written.document.fields.values()):
                return name
            tenant = schema.table(given.table) if given.table is not None else None
            if tenant is not None and tenant.known and any(_ids_of(f, table) for f in tenant.document.fields.values()):
                return name
        return None

    def fail_open_owner_tests(self, fn: "RegisteredFunction") -> list[FailOpenOwnerTest]:
        """The ownership tests, in the handler of a public function or a helper it reaches, that
        are skipped for a document without an owner: an `if` that returns or throws on `row.f &&
        row.f !== <the caller>` (the caller: what an identity fetch, or a helper making one,
        gave), where the schema declares `f` optional on the row's table. Rows without `f` (made
        by a signup route, or before the field existed) admit every signed-in caller. Not when
        the test has more terms (`!isManager && conv.assignedTo && conv.assignedTo !== me`: an
        unassigned row open to members on purpose), nor when the function tests another field of
        the row as well (`if (doc.teamId)` then a membership check: a row is the owner's or the
        team's)."""
        if not fn.is_public or fn.handler is None or fn.module.app.layout.is_component:
            return []
        schema = fn.module.app.schema
        if schema is None:
            return []
        reached = list(self.project.reach(fn))
        queries = self._database_uses(fn, reached)
        out: list[FailOpenOwnerTest] = []
        for r in reached:
            sites = {id(site.node): site for site in r.func.all_calls()}
            tests = [stmt for stmt in r.facts.module.nodes_in(r.func.node, "if_statement")
                     if js.enclosing_function(stmt) is r.func.node]
            for stmt in tests:
                if not js.always_exits(stmt.child("consequence")):
                    continue
                # `if (!org || (org.owner && org.owner !== me)) throw`: each `||` alternative exits
                for cond in _terms(stmt.child("condition"), "||"):
                    terms = _terms(cond, "&&")
                    found = self._fail_open_tests(r, queries, sites, schema, cond, terms) if len(terms) == 2 else []
                    out += [t for t in found if not _tests_other_field(r.facts, tests, stmt, t)]
        return out

    def _fail_open_tests(self, r: Reached, queries: "DatabaseUses", sites: dict, schema, cond: Node,
                         terms: list[Node]) -> list[FailOpenOwnerTest]:
        """`cond`, an `&&` chain of `terms`, when it holds `row.f` and `row.f !== <the caller>`
        and the schema declares `f` optional on the row's table."""
        tested = {r.facts.text(t) for t in terms if t.type == "member_expression"}
        out = []
        for t in terms:
            if t.type != "binary_expression" or not (t.has_tok("!==") or t.has_tok("!=")):
                continue
            sides = [js.unwrap(t.child("left")), js.unwrap(t.child("right"))]
            for owned, other in (sides, sides[::-1]):
                chain = js.member_chain(owned) if owned is not None and owned.type == "member_expression" else None
                if chain is None or len(chain[1]) != 1 or r.facts.text(owned) not in tested \
                        or not self._is_caller_value(r, queries, sites, other):
                    continue
                table = queries.doc_table_of(r.facts, chain[0])
                fields = schema.table(table) if table is not None else None
                validator = fields.field(chain[1][0]) if fields is not None else None
                if validator is not None and validator.is_optional:
                    out.append(FailOpenOwnerTest(r.facts, cond, r.facts.text(chain[0]), table, chain[1][0]))
        return out

    def _is_caller_value(self, r: Reached, queries: "DatabaseUses", sites: dict, n: Node | None) -> bool:
        """Is `n` read off what an identity fetch (or a project helper making one) returned in
        this function: `identity.subject`, `user._id`, `userId`?"""
        chain = js.member_chain(n) if n is not None else None
        root = js.unwrap(chain[0]) if chain is not None else None
        decl = queries.declarator_of(r.facts, root) if root is not None and root.type == "identifier" else None
        value = js.unwrap(decl.child("value")) if decl is not None else None
        while value is not None and value.type == "await_expression" and value.children:
            value = js.unwrap(value.children[-1])
        site = sites.get(id(value)) if value is not None else None
        return site is not None and self._fetches_identity(r.facts, site)

    def whole_table_deletes(self, fn: "RegisteredFunction", queries: "DatabaseUses") -> list[WholeTableDelete]:
        """The `ctx.db.delete(row._id)` calls, in the handler or a helper it reaches, of each
        row a query read from a whole table (`whole_table_read`: no index range, no filter but
        one on literals; `.collect()`, `.take(n)`, `.paginate(...)`, `for await`), with nothing
        in the loop that picks rows (`if (row.ownerId !== me) continue`), in a public mutation
        whose only check is that the caller is signed in (`only_signed_in`). One per table;
        a query of a table a helper is given by name (`deleteAll(ctx, "posts")`) is placed at
        each call naming it. `queries`: database uses that hold `fn`'s (`rulekit.reported_queries`)."""
        if fn.kind != "mutation" or not fn.is_public or fn.handler is None or fn.module.app.layout.is_component:
            return []
        found = []
        for c in queries.calls_of(fn):
            if c.method != "delete" or c.system:
                continue
            source = queries.row_of_id(c.facts, c.id_node)
            if source is not None and whole_table_read(source[0]) and not _picks_rows(c.facts, c.node, source[1]):
                found.append((c, source[0]))
        if not found or not self.only_signed_in(fn):
            return []
        reached = self.project.reach(fn)
        out: list[WholeTableDelete] = []
        tables: set[str] = set()
        for c, chain in found:
            inside = [r for r in reached if r.facts is c.facts and r.func.node.start <= c.node.start < r.func.node.end]
            if not inside:
                continue
            r = min(inside, key=lambda r: r.func.node.end - r.func.node.start)
            places = [(r, c.node, chain.table)] if chain.table is not None else \
                self._table_given(reached, chain.call.facts, chain.call.table_node)
            for where, node, table in places:
                if table not in tables:
                    tables.add(table)
                    out.append(WholeTableDelete(where, node, table, (c.facts, c.node)))
        return out

    def _table_given(self, reached: list[Reached], facts: FileFacts, name: Node | None
                     ) -> list[tuple[Reached, Node, str]]:
        """For `ctx.db.query(table)` in a helper whose parameter `table` holds the name: each
        call of the helper, among the functions `reached`, that gives it a string, with its
        table."""
        name = js.unwrap(name)
        ref = facts.ref_of(name) if name is not None and name.type == "identifier" else None
        if ref is None or ref.kind != "param" or ref.path or ref.func is None:
            return []
        out = []
        for r in reached:
            for site in r.func.all_calls():
                target = self.project.callgraph.callee(r.facts, site)
                args = js.call_args(site.node)
                if target is not None and target[1] is ref.func and ref.index < len(args):
                    table = js.string_value(args[ref.index])
                    if table is not None:
                        out.append((r, site.node, table))
        return out

    def only_signed_in(self, fn: "RegisteredFunction") -> bool:
        """Is the only thing that admits `fn`'s caller that someone is signed in? It asks who
        is calling (an identity fetch, a guard given only ctx, a custom builder's ctx member)
        and, in the handler and every helper it reaches, tests what it found for presence only
        (`if (!identity) throw`, `if (user === null) ...`). Not when anything may admit fewer
        callers: a builder or guard named for a role (`adminMutation`, `requireAdmin(ctx)`), a
        guard given more than ctx, a test of the caller's row or claims (`user.role !==
        "admin"`, `ADMINS.includes(identity.email)`, `row.ownerId !== me`), a test of
        `process.env`, a capability or secret, a test-only switch, row-level security, a check
        run through `ctx.runQuery`, or code handed ctx that we cannot read."""
        access = self.of(fn)
        if access.unknown or access.annotated_public or not access.evidence or access.ctx_handed_to \
                or access.caller_decides or access.blind_guards or access.swallowed or access.optional_identity \
                or access.overridden_identity or access.overridden_claims or access.futile_guards \
                or access.rls_rules or access.target_roles:
            return False
        if any(not e.about_caller or e.rls is not None or e.where == "runQuery" or "row-level security" in e.what
               for e in access.evidence):
            return False
        if fn.builder.is_custom and self.restricts_role(fn.builder):
            return False
        added = self.project.ctx_change(fn.builder).added - RESOURCE_MEMBERS if fn.builder.is_custom else set()
        caller_in: list[tuple[Reached, _Mentions]] = []  # what carries the caller in each function
        for r in self.project.reach(fn):
            facts = r.facts
            seeds = []
            for site in r.func.all_calls():
                kind = self.classify(facts, site)[0]
                if kind == "guard" and not self._signed_in_guard(facts, site):
                    return False
                if kind in ("identity", "fetch", "guard") or self._fetches_identity(facts, site):
                    seeds.append(site.node)
            if r.depth == 0:
                seeds += [use.node for use, path in r.ctx_uses() if path[:1] and path[0] in added]
            else:
                # a caller value handed in (`wipe(ctx, user)`): the parameter carries it here
                cfacts, csite = r.via[-1]
                given = next((m for c, m in caller_in if c.facts is cfacts
                              and c.func.node.start <= csite.node.start < c.func.node.end), None)
                args = js.call_args(csite.node)
                indexes = {i for i, a in enumerate(args) if given is not None and given.in_(a)}
                if r.func.body is not None:
                    seeds += [n for n, pref in facts.parameter_reads(r.func, r.func.body) if pref.index in indexes]
            declarators = [d for d in facts.module.nodes_in(r.func.node, "variable_declarator", "assignment_expression")
                           if d.child("value" if d.type == "variable_declarator" else "right") is not None]
            caller = _Mentions(facts, seeds, declarators)
            caller_in.append((r, caller))
            if _decides_beyond_sign_in(facts, r.func.node, caller, declarators):
                return False
        return True

    def _signed_in_guard(self, facts: FileFacts, site: CallSite) -> bool:
        """Is a guard call one that can only ask whether someone is signed in: given nothing
        but ctx, not named for a role (`requireAdmin`, `requireTeamMember`), and not deciding by
        a claim of the identity (`identity.isWorker === true`)? (What a project guard's body
        tests is read with the helpers the function reaches.)"""
        name = site.path[-1] if site.path else ""
        if _ROLE.search(name) or _GLOBAL_ROLE.search(name) or len(js.call_args(site.node)) > 1:
            return False
        return not self._admits_claim_only(facts, site)

    def _relates(self, facts: FileFacts, handler, sites: dict, doc: "_Mentions", caller: "_Mentions",
                 written: list[Node]) -> bool:
        """Does something in the handler relate the document to the caller (`unowned_writes`)?"""
        for n in facts.module.nodes_in(handler.node, "binary_expression", "call_expression"):
            if any(w is n for w in written):
                continue  # what is written (`{ editedBy: me }`) or scheduled checks nothing
            if n.type == "binary_expression":
                if any(n.has_tok(op) for op in ("===", "!==", "==", "!=", "in")) and doc.in_(n) and caller.in_(n):
                    return True
                continue
            site = sites.get(id(n))
            if site is not None and site.path[:1] == ("console",):
                continue
            if doc.in_(n) and caller.in_(n):
                return True  # `members.includes(doc.orgId)`, `.eq("boardId", doc.boardId).eq("userId", me)`
            # a helper given the handler's whole arguments (`requireManager(ctx, args)`, for a
            # session id) is given the id too: whether it checks it is not told here
            if site is None or not any(doc.in_(a) or _is_handler_param(facts, handler, js.unwrap(a), 1)
                                       for a in js.call_args(n)):
                continue
            kind = self.classify(facts, site)[0]
            if kind in ("guard", "identity", "fetch"):
                return True  # `requireBoardAccess(ctx, args.boardId)`
            if kind == "run":
                targets = self._run_targets(site.node)
                # `ctx.runQuery(api.chats.get, { chatId })`, a query that checks the chat is the caller's
                if targets is None or all(any(e.about_caller for e in self.of(t).evidence) for t in targets):
                    return True
                continue
            target = self.project.callgraph.callee(facts, site)
            if target is None:
                if any(_is_handler_param(facts, handler, js.unwrap(a), 0) for a in js.call_args(n)):
                    return True  # a package's check given ctx and the id: we cannot see it
            elif self._fetches_identity(facts, site) or any(
                    self.classify(r.facts, s)[0] == "guard"
                    for r in self.project.callgraph.reach(*target) for s in r.func.all_calls()):
                return True  # a helper (in any file) that asks who is calling (or calls a guard), given the id
        return False

    def _global_role(self, fn: "RegisteredFunction", facts: FileFacts, guards: list[CallSite]) -> bool:
        """Is the caller admitted for a role over the whole deployment: a builder that admits
        only some callers (`adminMutation`), a guard given nothing but ctx and literals
        (`requireAdmin(ctx)`, `requirePermission(ctx, "roles.delete")`), or a test naming a
        platform-wide role (`user.isPlatformStaff`, `requireSiteAdmin`)? Such a caller may
        change any document. A guard given an argument (`requireOrgAdmin(ctx, args.orgId)`)
        admits an admin of that one tenant."""
        if fn.builder.is_custom and self.restricts_role(fn.builder):
            return True
        for site in guards:
            name = site.path[-1] if site.path else ""
            if len(js.call_args(site.node)) == 1 and self._admits_claim_only(facts, site):
                return True  # `requireWorkerAccess(ctx)`: `if (identity?.isWorker === true) return`
            if not (_ROLE.search(name) or _GLOBAL_ROLE.search(name)):
                continue
            rest = [js.unwrap(a) for a in js.call_args(site.node)[1:]]
            if _GLOBAL_ROLE.search(name) or all(a is not None and a.type in ("string", "template_string")
                                                 for a in rest):
                return True
        return any(_GLOBAL_ROLE.search(facts.text(stmt.child("condition")))
                   for stmt in facts.module.nodes_in(fn.handler.node, "if_statement")
                   if stmt.child("condition") is not None and js.always_exits(stmt.child("consequence")))

    def _admits_claim_only(self, facts: FileFacts, site: CallSite) -> bool:
        """Is `site` a call of a project helper, given only ctx, that decides by comparing a claim
        of the identity it fetches with a literal (`if (identity?.isWorker === true) return;
        throw ...`, `identity.email !== "ops@x.com"`)? It admits the same callers whatever
        document follows: a role over the whole deployment."""
        target = self.project.callgraph.callee(facts, site)
        if target is None:
            return False
        tfacts, func = target
        if not tfacts.module.nodes_in(func.node, "throw_statement"):
            return False
        identities = set()
        for d in tfacts.module.nodes_in(func.node, "variable_declarator"):
            value, name = d.child("value"), d.child("name")
            if value is not None and name is not None and name.type == "identifier" \
                    and "getUserIdentity" in tfacts.text(value):
                identities.add(name.text)
        if not identities:
            return False
        for stmt in tfacts.module.nodes_in(func.node, "if_statement"):
            cond = stmt.child("condition")
            if cond is None or not js.always_exits(stmt.child("consequence")):
                continue
            for n in cond.walk():
                if n.type != "binary_expression" or not any(n.has_tok(op) for op in ("===", "!==", "==", "!=")):
                    continue
                sides = [js.unwrap(n.child("left")), js.unwrap(n.child("right"))]
                for claim, other in (sides, sides[::-1]):
                    chain = js.member_chain(claim) if claim is not None and claim.type == "member_expression" else None
                    if chain is not None and chain[0].type == "identifier" and chain[0].text in identities \
                            and chain[1] and other is not None \
                            and other.type in ("string", "true", "false", "number"):
                        return True
        return False

    def _role_checked(self, fn: "RegisteredFunction", facts: FileFacts, handler, caller: "_Mentions",
                      queries: "DatabaseUses") -> list[Node]:
        """The conditions that admit the caller for a role (`if (user.role !== "admin") throw
        ...`), rather than for owning what it changes."""
        out = []
        for stmt in facts.module.nodes_in(handler.node, "if_statement"):
            cond = stmt.child("condition")
            if cond is not None and js.always_exits(stmt.child("consequence")) and caller.in_(cond) \
                    and (_ROLE.search(facts.text(cond)) or any(n.type == "string" for n in cond.walk())
                         or self._reads_role_local(facts, handler, cond, queries)):
                out.append(cond)
        return out

    def _reads_role_local(self, facts: FileFacts, handler, cond: Node, queries: "DatabaseUses") -> bool:
        """Does `cond` read a local of the handler computed from a role field (`const
        isAllowedCreator = user?.role?.includes("admin")`, then `if (!isAllowedCreator) throw`)?"""
        for ident in cond.walk():
            if ident.type != "identifier":
                continue
            decl = queries.declarator_of(facts, ident)
            value = decl.child("value") if decl is not None else None
            if value is None or not (handler.node.start <= decl.start < handler.node.end):
                continue
            if any(m.type == "member_expression" and m.child("property") is not None
                   and ROLE_FIELD.match(m.child("property").text or "") for m in value.walk()):
                return True
        return False

    def _role_rows_untenanted(self, fn: "RegisteredFunction", facts: FileFacts, handler, conds: list[Node],
                              queries: "DatabaseUses") -> bool:
        """Are the rows a role test reads (`me.roles.includes("admin")`, `const me = await
        ctx.db.query("users")...`; through locals such as `const isAdmin = me?.role === ...`)
        all of tables the schema knows that have no tenant field? Then the role is the
        caller's over the whole deployment, even when other tables (`orgStaff`) are per tenant."""
        schema = fn.module.app.schema
        if schema is None:
            return False
        reads = [c for c in queries.calls_of(fn) if c.func is handler and c.method in ("get", "query")]
        tables: set[str | None] = set()
        seen: set[int] = set()
        todo = list(conds)
        while todo and len(seen) < 20:
            node = todo.pop()
            for ident in node.walk():
                if ident.type != "identifier":
                    continue
                decl = queries.declarator_of(facts, ident)
                value = decl.child("value") if decl is not None else None
                if value is None or id(decl) in seen or not (handler.node.start <= decl.start < handler.node.end):
                    continue
                seen.add(id(decl))
                rows = [c for c in reads if value.start <= c.node.start and c.node.end <= value.end]
                for c in rows:
                    tables.add(c.table if c.method == "query" or c.explicit
                               else queries.table_of(facts, c.args[-1] if c.args else None))
                if not rows:
                    todo.append(value)
        if not tables or None in tables:
            return False
        for name in tables:
            table = schema.table(name)
            if table is None or not table.known or any(table.has_field(f) is not False for f in _TENANT_FIELDS):
                return False
        return True

    def _named_public(self, fn: "RegisteredFunction") -> bool:
        """Is a query named public on purpose: by its own name (`getPublicProfile`), its builder's
    (`publicQuery({...})`, a wrapper the project made for open reads) or its
        module's (`publicProfile:check`: the data is public), or by a module or folder named
        just `public` (`public/feed:list`) when no function of that module checks who is
        calling: a `public.ts` whose siblings check identity means "client-facing" (next to
        an internal `protected.ts`), not "open to anyone"."""
        module, _, local = fn.display_name.rpartition(":")
        if _PUBLIC_NAME.search(local) or (fn.builder.is_custom and _PUBLIC_NAME.search(fn.builder.name)):
            return True  # ... or registered with a builder the project named so (`publicQuery`)
        if not _PUBLIC_NAME.search(module):
            return False
        if "public" not in module.split("/"):
            return True
        key = ("module checks identity", id(fn.module))
        checks = self._module_checks.get(key)
        if checks is None:
            checks = self._module_checks[key] = any(
                self._checks_identity(sib) for sib in fn.module.app.functions_in(fn.module))
        return not checks

    def _checks_identity(self, fn: "RegisteredFunction") -> bool:
        """Does `fn` (its handler, helpers or builder) call an identity fetch or a guard?
        (By call kind only: no `of`, which would come back here for the module's queries.)"""
        if fn.builder.is_custom and (self.builder_access(fn.builder).evidence
                                     or self.builder_access(fn.builder).nullable_keys):
            return True
        if fn.handler is None:
            return False
        return any(self.classify(r.facts, site)[0] in ("identity", "fetch", "guard")
                   for r in self.project.reach(fn) for site in r.func.all_calls())

    def _may_write(self, r: Reached, ents: bool = False) -> bool:
        """Can `r` change something with the handler's ctx (see `Access.may_write`)? With
        Convex Ents, any `ctx.table(...)` in a mutation counts: its writes are methods on
        the documents it returns (`.patch()`, `.delete()`), which we do not follow."""
        for _use, path in r.ctx_uses():
            if ents and path[:1] == ("table",):
                return True
            if path[:1] in (("scheduler",), ("runMutation",), ("runAction",)) \
                    or path[:1] == ("db",) and path[1:2] in (("insert",), ("patch",), ("replace",), ("delete",)) \
                    or path[:1] == ("storage",) and path[1:2] in (("store",), ("delete",), ("generateUploadUrl",)):
                return True
        # `ctx` or `ctx.db` handed on: fine to a helper we follow (its own uses are scanned),
        # not to code we cannot see (`aggregate.insert(ctx, doc)` of a package)
        return next(self._ctx_handed_on(r), None) is not None

    def package_ctx_calls(self, r: Reached):
        """Calls in `r` that hand the whole `ctx` to a package, which reads or writes through it
        (its ctx.db, ctx.runMutation): a data helper (`listUIMessages(ctx, ...)`), a component
        client's method (`streaming.stream(ctx, ...)`). Not one that only asks who is calling
        (`getAuthUserId(ctx)`): that is evidence, not access. (callee as written, site)"""
        for site, path in self._ctx_handed_on(r):
            if not path and site.ref is not None and site.ref.kind in ("module", "local") \
                    and self.classify(r.facts, site)[0] is None:
                yield (r.facts.one_line(site.callee) if site.callee is not None else "?"), site

    def _ctx_handed_on(self, r: Reached):
        """Calls in `r` that hand the handler's `ctx` (path ()) or `ctx.db` (path ("db",)) to
        code we cannot see (a package, a component client): (CallSite, path)."""
        if r.ctx_index is None:
            return
        for site in r.func.all_calls():
            for a in js.call_args(site.node):
                chain = js.member_chain(js.unwrap(a) or a)
                if chain is None or chain[0].type != "identifier" or len(chain[1]) > 1:
                    continue
                ref = site.func.lookup(chain[0].text or "") if site.func is not None else None
                if ref is None or ref.kind != "param" or ref.func is not r.func or ref.index != r.ctx_index:
                    continue
                path = r.on_ctx(ref.path + tuple(chain[1]))
                if path in ((), ("db",)) and self.project.callgraph.target(r, site) is None:
                    yield site, path
                    break

    def personal_data(self, fn: "RegisteredFunction") -> str | None:
        """Why a query's data is personal (an identity argument, a table of people), or None."""
        val = self.project.args_validator(fn)
        if val is not None and val.required().kind == "object":
            for name in val.required().fields:
                if IDENTITY_ARG.match(name):
                    return f"it takes `{name}`, so a caller can read anyone's data"
        for name in self.of(fn).ctx_handed_to:
            # a package's reader named for what it reads: `listUIMessages(ctx, components.agent,
            # ...)` hands out user conversations, as a `messages` table would
            method = name.rsplit(".", 1)[-1]
            personal = PERSONAL_TABLE.search(method)
            if personal and not CATALOGUE_TABLE.search(method):
                return f"`{name}()` reads {personal.group(1).lower()}s"
        admin: set[str] | None = None  # asked for only when a table is not personal: it reads every function's access
        # the tables its code reads first: a `v.id("users")` argument alone is not a read of
        # `users` (`isSeated({ pupil })` reads `seats`), so say what it takes instead
        # (a legacy `ctx.db.get(args.patientId)` does read it, and so does `ctx.db.get(r.authorId)`
        # for a `v.id("users")` field: the same read as `ctx.db.get("users", r.authorId)`, which
        # CVX711's safe fix writes, so both forms must rate the function alike)
        # a row read only for its id (a `clerkId` turned into a `memberId` for an index) hands
        # out nothing of the person
        read = self.tables_read(fn, typed_gets=True, id_arguments=False, keys=False)
        taken = self._id_arguments(fn)
        for table in read + [t for t in taken if t not in read]:
            # a table read that holds how to reach people, or whose rows are accounts (an id of
            # a table of stories that keep their submitter's email names a story, not a person)
            is_read = table in read
            people = _people_field(fn.module.app, table, contact=is_read)
            if (PERSONAL_TABLE.search(table) or people) and not CATALOGUE_TABLE.search(table):
                held = f" (its `{people}` field)" if people and not PERSONAL_TABLE.search(table) else ""
                if is_read:
                    return f"it reads the `{table}` table{held}"
                return f"it takes `{taken[table]}`, an id of the `{table}` table{held}"
            if admin is None:
                admin = self.admin_tables(fn.module.app)
            if table in admin and not self._open_readers(fn.module.app).get(table, set()) - {id(fn)}:
                return f"other functions require an admin before reading `{table}`"
        return None

    def probably_public(self, fn: "RegisteredFunction") -> bool:
        """Is an unchecked function one CVX401 rates info, as often public by design: a query
        (or a mutation that only reads) whose data is not personal (`personal_data`)? Telling
        it to use a sign-in wrapper would hide a landing page's or a support widget's data."""
        reads_only = fn.kind == "query" or (fn.kind == "mutation" and not self.of(fn).may_write)
        return reads_only and self.personal_data(fn) is None

    def restricts_role(self, builder) -> bool:
        """Does a custom builder that checks the caller admit only some signed-in callers (an
        admin, a team member): its name says so (`adminQuery`), it calls a guard named so
        (`requireAdmin`), or its customization throws on a test of a role word or a literal
        (`if (user.role !== "admin") throw ...`)? A builder that only needs a signed-in
        caller is the one to suggest for a function anyone signed in may call."""
        if _ROLE.search(builder.name):
            return True
        if any(_ROLE.search(e.what) for e in self.builder_access(builder).evidence):
            return True
        for ffacts, finfo in self.project.ctx_change(builder).functions:
            for r in self.project.callgraph.reach(ffacts, finfo):
                for stmt in r.facts.module.nodes_in(r.func.node, "if_statement"):
                    cond = stmt.child("condition")
                    if cond is None or not js.always_exits(stmt.child("consequence")) \
                            or js.enclosing_function(stmt) is not r.func.node:
                        continue
                    if _ROLE.search(r.facts.text(cond)) or any(n.type == "string" for n in cond.walk()):
                        return True
        return False

    def flag_skipped_check(self, fn: "RegisteredFunction") -> "FlagSkippedCheck | None":
        """The checks of `fn` that a yes/no argument turns off: every check is in its handler,
        in the branch of an `if` on the flag that runs for one of its values only (`if
        (!args.isRelay) { ...verify the signature... }`) or in the condition of an exiting `if`
        one of whose `&&` terms is the flag (`if (!args.isRelay && mac !== args.signature)
        throw`); that branch only checks (uses no data), and the handler uses data after the
        `if`. The caller chooses the flag: anyone can skip the check. Only checks of a shared
        secret or a signature, not of the caller's identity. Not a flag whose branch also reads
        what the check guards (`if (args.full) { ...compare the key...; return every row }`)."""
        access = self.of(fn)
        reached = self.project.reach(fn)
        val = self.project.args_validator(fn)
        if access.unknown or not access.evidence or not reached or val is None or val.required().kind != "object":
            return None
        flags = {n for n, f in val.required().fields.items() if f.required().kind == "boolean"}
        start = reached[0]
        checks = [e.node for e in access.evidence]
        # (a shared secret or a signature: an identity check behind a flag is an optional
        # sign-in, `if (!args.anonymous) author = (await requireUser(ctx))._id`)
        if not flags or any(e.about_caller or e.where != "handler" or e.facts is not start.facts
                            or not (start.func.node.start <= e.node.start and e.node.end <= start.func.node.end)
                            for e in access.evidence):
            return None
        uses = [use.node for use, path in start.ctx_uses() if path and path[0] in RESOURCE_MEMBERS]

        def holds(n: Node | None) -> bool:
            return n is not None and all(n.start <= c.start and c.end <= n.end for c in checks)
        for stmt in start.func.node.walk():
            if stmt.type != "if_statement" or js.enclosing_function(stmt) is not start.func.node \
                    or not any(u.start > stmt.end for u in uses):
                continue
            cond = js.unwrap(stmt.child("condition"))
            flag = _unnegated(cond) if cond is not None else None
            alternative = stmt.child("alternative")
            if handler_argument(start, flag) in flags:
                # the branch that checks, and whether it runs when the flag is true
                negated = _negated(cond)
                for branch, runs_when in ((stmt.child("consequence"), not negated), (alternative, negated)):
                    if holds(branch) and not any(branch.start <= u.start and u.end <= branch.end for u in uses):
                        return FlagSkippedCheck(start.facts, stmt, access.evidence[0].what,
                                                handler_argument(start, flag) or "", not runs_when)
                continue
            if not holds(cond) or not js.always_exits(stmt.child("consequence")):
                continue
            for term in _terms(cond, "&&"):
                flag = _unnegated(term)
                if handler_argument(start, flag) in flags and not holds(term):
                    # `!args.isRelay && ...`: true makes the test false, and the refusal is skipped
                    return FlagSkippedCheck(start.facts, stmt, access.evidence[0].what,
                                            handler_argument(start, flag) or "", _negated(term))
        return None

    def permission_flags(self, fn: "RegisteredFunction") -> frozenset[str]:
        """The arguments of a public function that are the caller's word about its own rights:
        validated as yes/no (`v.boolean()`, optional or not) and named for a permission
        (`canViewAll`, `isAdmin`). Not one the handler writes into a document (`ctx.db.patch(id,
        { canEdit })`): that is a setting it stores about someone, not a claim it acts on."""
        val = self.project.args_validator(fn)
        if fn.handler is None or val is None or val.required().kind != "object":
            return frozenset()
        named = [n for n, f in val.required().fields.items()
                 if PERMISSION_FLAG.match(n) and f.required().kind == "boolean"]
        if not named:
            return frozenset()
        start = self.project.reach(fn)[0]
        return frozenset(n for n in named if not _writes_argument(start, n))

    def _about_people(self, fn: "RegisteredFunction", tables: list[str]) -> bool:
        """Does a query take an identity argument or read a table of people?"""
        val = self.project.args_validator(fn)
        if val is not None and val.required().kind == "object" and any(IDENTITY_ARG.match(n) for n in val.required().fields):
            return True
        return any(PERSONAL_TABLE.search(t) and not CATALOGUE_TABLE.search(t) for t in tables)

    def tables_read(self, fn: "RegisteredFunction", typed_gets: bool = False, id_arguments: bool = True,
                    keys: bool = True) -> list[str]:
        """Tables named in `ctx.db.query("t")` / `ctx.db.get("t", id)` in the handler and its helpers,
        and (unless not `id_arguments`) the tables of its `v.id("t")` arguments (what a legacy
        `ctx.db.get(id)` reads); with
        `typed_gets`, also the table of a legacy `ctx.db.get(id)` whose id's table can be told
        (`ctx.db.get(link.trackId)` for a `v.id("tracks")` field). A read whose rows are thrown
        away (`await ctx.db.query("users").take(1);`, a health probe) hands out nothing: it does
        not count; nor, unless `keys`, one whose row serves only as a lookup key (`_read_as_key`)."""
        out: list[str] = list(self._id_arguments(fn)) if id_arguments else []
        reached = self.project.reach(fn)
        for r in reached:
            for site, path in r.ctx_calls():
                if path[-2:] in (("db", "query"), ("db", "get")):
                    args = js.call_args(site.node)
                    table = js.string_value(args[0]) if args else None
                    if table is None and typed_gets and path[-1] == "get" and len(args) == 1:
                        table = self._database_uses(fn, reached).table_of(r.facts, args[0])
                    if table is not None and table not in out and not _discarded_read(site.node) \
                            and (keys or not _read_as_key(site.node)):
                        out.append(table)
        return out

    def _id_arguments(self, fn: "RegisteredFunction") -> dict[str, str]:
        """The table of each `v.id("t")` argument, with the first argument naming it."""
        out: dict[str, str] = {}
        val = self.project.args_validator(fn)
        if val is not None and val.required().kind == "object":
            for name, f in val.required().fields.items():
                f = f.required()
                if f.kind == "id" and f.table:
                    out.setdefault(f.table, name)
        return out

    def admin_tables(self, app) -> set[str]:
        """Tables some query of the app reads only after an admin check (`requireAdmin`,
        `ensureAdminOrCreator`): reading them elsewhere without a check is a leak, not a feature."""
        hit = self._admin_tables.get(id(app))
        if hit is None:
            admin: set[str] = set()
            users: set[str] = set()  # read by functions that check a user, not an admin
            for fn, (checks, tables) in self._public_reads(app):
                if checks == "admin":
                    admin.update(tables)
                elif checks == "user":
                    users.update(tables)
            hit = self._admin_tables[id(app)] = admin - users  # a dashboard's tables that users also read do not count
        return hit

    def _open_readers(self, app) -> dict[str, set[int]]:
        """The public queries that check nothing, by the tables they read (`typed_gets`: a
        band page's `ctx.db.get(link.trackId)` reads `tracks`): a table one of them reads is
        not one that other functions only read after an admin check."""
        hit = self._open_reads.get(id(app))
        if hit is None:
            hit = self._open_reads[id(app)] = {}
            for fn, (checks, tables) in self._public_reads(app):
                if checks == "none":
                    for table in tables:
                        hit.setdefault(table, set()).add(id(fn))
        return hit

    def _public_reads(self, app) -> list[tuple["RegisteredFunction", tuple[str, tuple[str, ...]]]]:
        """Each public function's `_checks_and_reads`, kept between an editor's runs for the
        functions an edit cannot reach (it asks `of` of every public function of the app)."""
        hit = self._public_read_memo.get(id(app))
        if hit is None:
            public = [fn for fn in app.functions if fn.handler is not None and fn.is_public]
            values = self.project.derived.per_function(app, "access: checks and reads", public,
                                                       self._checks_and_reads)
            hit = self._public_read_memo[id(app)] = list(zip(public, values))
        return hit

    def _checks_and_reads(self, fn: "RegisteredFunction") -> tuple[str, tuple[str, ...]]:
        """What a public function checks — "admin", "user" (a signed-in caller, not an admin),
        "none" (a query that checks nothing), or "" (anything else) — and the tables that tell
        about who may see them: an admin query's reads, the reads of a user's function or of an
        open query with the tables of their typed `ctx.db.get(id)` (`ctx.db.get(link.trackId)`
        of a user's page reads `tracks` as well)."""
        evidence = self.of(fn).evidence
        # a capability argument lets in whoever holds the token (a respondent reading its
        # own row): no user check that makes the table everyone's
        checks = [e for e in evidence if e.where != "args"]
        if checks and any("dmin" in e.what for e in checks):
            # what admin queries read; an admin mutation reads a row to change it (`settings`
            # before a patch), which says nothing about who may see it
            return ("admin", tuple(self.tables_read(fn))) if fn.kind == "query" else ("", ())
        if checks:
            return "user", tuple(self.tables_read(fn, typed_gets=True))
        if not evidence and fn.kind == "query":
            return "none", tuple(self.tables_read(fn, typed_gets=True))
        return "", ()

    def _capability(self, fn: "RegisteredFunction") -> str | None:
        """An argument that is itself the secret granting access (a share code, an invite token,
        a session id): capability-style access control, which the Convex docs allow."""
        val = self.project.args_validator(fn)
        if val is None or val.required().kind != "object":
            return None
        for name, field in val.required().fields.items():
            # A wrapper may consume the argument itself (convex-helpers sessions); otherwise an
            # argument the handler never reads guards nothing, and neither does an optional
            # one: a caller who leaves it out skips whatever checks it — unless the handler
            # stops first when it is missing (`if (!args.token) return null`).
            if not CAPABILITY_ARG.match(_camel(name)) and not self._hashed_lookup(fn, name) \
                    and not self._random_key_lookup(fn, name, field):  # `secret_key` is `secretKey`
                continue
            if _wrapper_may_read(fn.builder, name) or (
                    (not field.is_optional or self._stops_first_without(fn, name)) and self._handler_checks(fn, name)
                    and not self._reads_on_miss(fn, name)):
                return name
        state = val.required().fields.get("state")
        if state is not None and not state.is_optional and "code" in val.required().fields \
                and self._looks_up(fn, "state", 0):
            # an OAuth callback that finds the stored single-use `state` it handed out when the
            # signed-in user started the flow: only that user's browser holds it
            return "state"
        return None

    def _reads_on_miss(self, fn: "RegisteredFunction", name: str) -> bool:
        """Does the handler read data by another argument when its lookup by capability `name`
        finds nothing (`if (bySession) return bySession;` and then a lookup by the non-secret
        `externalChatId`, or `if (!invite) { ...ctx.db.get(args.teamId)... }`)? A capability
        protects only when a miss stops the handler: a caller who does not hold it sends any
        value and gets the fallback's data."""
        handler, facts = fn.handler, self.project.handler_facts(fn)
        body = js.function_body(handler.node) if handler is not None else None
        val = self.project.args_validator(fn)
        if facts is None or body is None or body.type != "statement_block" or val is None:
            return False
        others: list[Node] | None = None  # the other arguments' reads and the handler's ctx reads,
        ctx_reads: list[Node] = []  # read once a miss branch is found (most handlers have none)
        for read in self.argument_reads(fn, name):
            lookup = js.statement_of(read) if read is not None else None
            if lookup is None or lookup.parent is not body:
                continue
            found = _declared_by(lookup, read)
            if found is None:
                continue
            var = found.parent.child("name").text
            regions = [region for stmt in body.children if stmt.start >= lookup.end
                       and (region := _miss_branch(stmt, var, body)) is not None]
            if not regions:
                continue
            if others is None:
                others = [n for other in val.required().fields if other != name
                          for n in self.argument_reads(fn, other) if n is not None]
                ctx_reads = [n for n, ref in facts.parameter_reads(handler, handler.node)
                             if ref.index == 0 and not ref.path and _ctx_read_path(n)]
            if not others or not ctx_reads:
                return False
            if not any(found.start <= c.start < found.end for c in ctx_reads):
                continue  # not a lookup: `const token = args.token.trim()`
            if any(region[0] <= n.start < region[1] and _in_ctx_read(n, ctx_reads)
                   for region in regions for n in others):
                return True
        return False

    def _looks_up(self, fn: "RegisteredFunction", name: str, depth: int) -> bool:
        """Does the handler look argument `name` up in its own data (`.eq("state", state)`, a
        comparison), itself or in a function it runs with it (`ctx.runQuery(internal.oauth.
        byState, { state })`)?"""
        handler = fn.handler
        if handler is None or depth > 2:
            return False
        for read in self.argument_reads(fn, name):
            if read is None:
                continue
            if _looked_up_or_compared(read):
                return True
            if read.type == "shorthand_property_identifier":  # `{ state }`
                obj, key = read.parent, read.text
            elif read.parent is not None and read.parent.type == "pair" and js.outer(read).field == "value":
                obj, key = read.parent.parent, js.property_key(read.parent)
            else:
                continue
            call = obj.parent.parent if obj is not None and obj.parent is not None \
                and obj.parent.type == "arguments" else None
            site = handler.site_of(call) if call is not None else None
            if site is None or not site.path or site.path[-1] not in _RUN or site.ref is None \
                    or site.ref.kind != "param" or key is None:
                continue
            targets = self._run_targets(site.node)
            if targets and all(self._looks_up(t, key, depth + 1) for t in targets):
                return True
        return False

    def _hashed_lookup(self, fn: "RegisteredFunction", name: str) -> bool:
        """Does the handler hash argument `name` (`const keyHash = await sha256(args.key)`), look
        the hash up by a field that holds hashes (`.withIndex("by_key_hash", (q) => q.eq("keyHash",
        keyHash)).first()`) and exit when nothing is found (`if (!row) return null`)? The caller
        must then hold what hashes to a stored value: an API key, a capability whatever its
        name (`key`; decided by use, as a name alone would take `sortKey` too)."""
        handler = fn.handler
        if handler is None or not any(site.path and _HASHING_CALL.search(site.path[-1]) for site in handler.all_calls()):
            return False  # (asked of every argument of every function: a handler that hashes nothing, at once)
        for read in self.argument_reads(fn, name):
            hashed = _hash_of(read) if read is not None else None
            decl = hashed.parent if hashed is not None else None
            held = decl.child("name") if decl is not None and decl.type == "variable_declarator" else None
            if held is None or held.type != "identifier" or hashed.field != "value":
                continue
            for use in scope.reads_of(handler.node, held.text or ""):
                stmt = js.statement_of(use) if _hash_lookup(use) else None
                found = _declared_by(stmt, use) if stmt is not None else None
                if found is not None and _value_acted_on(found, _stops_if_null):
                    return True
        return False

    def _random_key_lookup(self, fn: "RegisteredFunction", name: str, field) -> bool:
        """Is argument `name` a random key the caller was handed, whatever its name: a free
        string (a `v.id` is a document id, no secret) that the handler looks up by equality
        (`.withIndex("by_shareId", (q) => q.eq("shareId", shareId)).unique()`) and stops
        when nothing is found (`if (!share) throw ...`), where the field it is matched against
        is written by the app's own code from a random generator (`shareId: generateShareId()`
        over `crypto.getRandomValues`), or the argument is named as a link's id (`shareId`,
        `publicLinkId`; the field's writes count for a public function only)? A guessable key
        (a sequential number) is neither."""
        if field.required().kind != "string" or fn.handler is None:
            return False
        link = _LINK_ID_ARG.match(_camel(name)) is not None
        if not link and not fn.is_public:
            # a random key an internal function is run with is mostly one the app made and
            # hands on itself (`updateStatus({ artifactId })` after `crypto.randomUUID()`):
            # no sign that the outer caller had to hold it
            return False
        facts = self.project.handler_facts(fn)
        for read in self.argument_reads(fn, name):
            matched = None if read is None or facts is None \
                else _equality_field(read) or self._helper_equality_field(facts, read)
            stmt = js.statement_of(read) if matched is not None else None
            found = _declared_by(stmt, read) if stmt is not None else None
            # (the field's writes first: kept per file, while a stop is read in the handler anew)
            if found is not None and (link or self._written_randomly(fn.module.app, matched)) \
                    and _value_acted_on(found, _stops_if_null):
                return True
        return False

    def _helper_equality_field(self, facts: FileFacts, read: Node) -> str | None:
        """The field a function of the app matches the value it is handed against and returns
        the lookup of (`loadShare(ctx, shareId)` returning `ctx.db.query("shares").withIndex(
        "by_shareId", (q) => q.eq("shareId", shareId)).first()`), or None."""
        o = js.outer(read)
        call = o.parent.parent if o.parent is not None and o.parent.type == "arguments" else None
        callee = js.unwrap(js.callee(call)) if call is not None and call.type == "call_expression" else None
        d = self.linker.definition(facts, callee.text or "") if callee is not None and callee.type == "identifier" else None
        helper = js.unwrap(d.node) if isinstance(d, Def) and not d.path else None
        info = d.facts.function_for(helper) if helper is not None and js.is_function(helper) else None
        index = next((i for i, a in enumerate(js.call_args(call)) if a is o), None) if info is not None else None
        if index is None or index >= len(info.params):
            return None
        param = js.unwrap(info.params[index].child("pattern") or info.params[index])
        if param is None or param.type != "identifier":
            return None
        returned = [r for r in returned_values(helper) if r is not None]
        for use in scope.reads_of(helper, param.text or ""):
            field = _equality_field(use)
            if field is not None and any(r.start <= use.start < r.end for r in returned):
                return field
        return None

    def _written_randomly(self, app, field: str) -> bool:
        """Does one of the app's modules write `field` from a random generator: the key of an
        object literal whose value is one (`{ shareId: generateShareId() }`, `{ shareId }` with
        `const shareId = crypto.randomUUID()`)? Only files whose text names the field are read,
        and what each says is kept between an editor's runs (`_random_value` reads the file
        and the functions it imports, as derived.get asks): reading every object of a large
        app on each keystroke had doubled its cost."""
        key = (id(app), field)
        hit = self._random_field_memo.get(key)
        if hit is None:
            name = field.encode()
            hit = self._random_field_memo[key] = any(
                name in module.facts.source and self.project.derived.get(
                    module.facts, ("access: written randomly", field),
                    lambda facts=module.facts: self._written_randomly_in(facts, field))
                for module in app.modules.values())
        return hit

    def _written_randomly_in(self, facts: FileFacts, field: str) -> bool:
        """`_written_randomly` for one file: the field's places in the text that are the key
        of an object literal's property (`shareId: ...`, `"shareId": ...`, `{ shareId }`)."""
        name, source, module = field.encode(), facts.source, facts.module
        # only the places the text could make a key (`shareId:`, `shareId"`, `shareId }`,
        # `shareId,`) are looked up in the tree: a field asked of every file naming it
        # (`organizationId`) is mostly read there (`args.organizationId)`)
        for m in re.finditer(rb"(?<![\w$])" + re.escape(name) + rb"(?=\s*[:,}/]|[\"'])", source):
            at = m.start()
            node = module.node_at(at, at + len(name))
            if node.type == "string_fragment" and node.parent is not None:
                node = node.parent  # a quoted key
            if node.type == "shorthand_property_identifier" and node.text == field:
                value = node
            elif node.parent is not None and node.parent.type == "pair" and node.field == "key" \
                    and js.property_key(node.parent) == field:
                value = node.parent.child("value")
            else:
                value = None
            if value is not None and self._random_value(facts, value, 0):
                return True
        return False

    def _random_value(self, facts: FileFacts, value: Node | None, depth: int) -> bool:
        """Is `value` made by a random generator: `crypto.randomUUID()`, `nanoid()`, `uuid`'s
        `v4()`, or a function of the app that calls one (`crypto.getRandomValues` in
        `generateShareId()`), read through the constant that holds it?"""
        from .evaluate import const_value

        n = js.unwrap(value)
        if n is not None and n.type == "await_expression" and n.children:
            n = js.unwrap(n.children[0])
        if n is None or depth > 3:
            return False
        if n.type in ("identifier", "shorthand_property_identifier"):
            held = const_value(facts, n) if n.type == "identifier" else _shorthand_const(facts, n)
            return held is not None and held is not n and self._random_value(facts, held, depth + 1)
        if n.type != "call_expression":
            return False
        if _random_call(facts, n):
            return True
        callee = js.unwrap(js.callee(n))
        d = self.linker.definition(facts, callee.text or "") if callee is not None and callee.type == "identifier" else None
        body = js.unwrap(d.node) if isinstance(d, Def) and not d.path else None
        return body is not None and js.is_function(body) \
            and any(_random_call(d.facts, c) for c in d.facts.module.nodes_in(body, "call_expression"))

    def _stops_first_without(self, fn: "RegisteredFunction", name: str) -> bool:
        """Does the handler exit when optional argument `name` is missing, before it uses ctx
        (`if (!args.token) return null;` as a statement of its body), and read the argument
        again after that check (a token only tested for presence checks nothing)?"""
        handler, facts = fn.handler, self.project.handler_facts(fn)
        body = js.function_body(handler.node) if handler is not None else None
        if facts is None or body is None or body.type != "statement_block":
            return False
        reads = [read for read in self.argument_reads(fn, name) if read is not None]
        guard = next((js.statement_of(read) for read in reads if _stops_if_null(read, 0)), None)
        in_helper = False
        if guard is None or guard.parent is not body or guard.type != "if_statement":
            # `await validateAdmin(ctx, args.token)` first, where the helper throws without the
            # token and then checks it: the helper's own throw stops the handler (nb-cld-convex)
            guard = next((js.statement_of(read) for read in reads
                          if self._helper_throws_without(facts, handler, read)), None)
            if guard is None or guard.parent is not body:
                return False
            in_helper = True
        if any(ref.index == 0 and n.start < guard.start for n, ref in facts.parameter_reads(handler, handler.node)):
            return False  # ctx used before the check
        return in_helper or any(read.start >= guard.end for read in reads)

    def _helper_throws_without(self, facts: FileFacts, func, read: Node) -> bool:
        """Is `read` handed to a project helper that throws when it is missing (`if (!token)
        throw ...` as a statement of its body, before it uses the ctx it is given) and reads
        it again after that check? A helper that only returns without it lets the handler go on."""
        o = js.outer(read)
        call = o.parent.parent if o.parent is not None and o.parent.type == "arguments" else None
        site = func.site_of(call) if call is not None else None
        target = self.project.callgraph.callee(facts, site) if site is not None else None
        if target is None:
            return False
        args = [js.unwrap(a) for a in js.call_args(call)]
        index = next((i for i, a in enumerate(js.call_args(call)) if a is o), None)
        ctx_at = {i for i, a in enumerate(args) if a is not None and a.type == "identifier"
                  and (ref := facts.ref_of(a)) is not None and ref.kind == "param" and ref.index == 0 and not ref.path}
        hfacts, hinfo = target
        body = js.function_body(hinfo.node)
        if index is None or body is None or body.type != "statement_block":
            return False
        uses = [(u, ref) for u, ref in hfacts.parameter_reads(hinfo, body) if ref.index == index or ref.index in ctx_at]
        guard = next((js.statement_of(u) for u, ref in uses if ref.index == index and not ref.path
                      and _stops_if_null(u, 0)), None)
        if guard is None or guard.parent is not body or not _ends_in_throw(guard.child("consequence")):
            return False
        if any(ref.index in ctx_at and u.start < guard.start for u, ref in uses):
            return False  # ctx used before the check
        return any(ref.index == index and u.start >= guard.end for u, ref in uses)

    def _handler_checks(self, fn: "RegisteredFunction", name: str) -> bool:
        """Can the handler check argument `name`? It must read it (or use its arguments object
        whole), and not store it: a value the caller writes into a document (`insert(...,
        { code: args.code })`, the insert of an upsert) is a key the caller picks, not a secret
        it was given. An anonymous visitor's session id is the exception: storing the session
        the client made up is how such sessions start, unless the function also takes an
        identity argument (`userId`) it acts by: a session id that is only stored then
        protects nothing, and the caller picks whose data it writes (dynoclaw's
        `agentMemory:store({ sessionId, userId, content })`)."""
        handler, facts = fn.handler, self.project.handler_facts(fn)
        if handler is None or facts is None:
            return True  # cannot tell
        reads = list(self.argument_reads(fn, name, whole=True))
        # handed on and never checked here: sent to a server (`fetch`, a helper that only
        # sends it), or to a function run through `ctx.run*` that does not check it; the
        # arguments object handed on whole (`ctx.runMutation(internal.x.store, args)`) hands
        # `name` on as its field of that name
        reads = [value for value in reads if value is None or not self._only_forwarded(
            facts, handler, value, 0, name if _whole_arguments(facts, value) else None)]
        if name == "code" and self._oauth_callback(fn):
            # an OAuth callback's `code` is the provider's, exchanged for tokens: it grants
            # nothing here unless this app looks it up or compares it
            reads = [value for value in reads if value is not None and _looked_up_or_compared(value)]
        stored = [value is not None and _stored_in_document(value) for value in reads]
        if any(stored) and not _SESSION_ARG.search(name):
            return False
        if reads and all(stored):  # a session id only stored
            val = self.project.args_validator(fn)
            taken = val.required().fields if val is not None and val.required().kind == "object" else {}
            if any(IDENTITY_ARG.match(other) and next(self.argument_reads(fn, other), False) is not False
                   for other in taken):
                return False
        return bool(reads)

    def _oauth_callback(self, fn: "RegisteredFunction") -> bool:
        """Does the function take an OAuth redirect's `code` and `state`?"""
        val = self.project.args_validator(fn)
        return val is not None and val.required().kind == "object" and "state" in val.required().fields

    def _only_forwarded(self, facts: FileFacts, func, read: Node, depth: int, field: str | None = None) -> bool:
        """Is this read of a value only handed on, unchecked: to `fetch` (another server
        checks it, which says nothing about whose data this app then touches), to a
        project helper handed no ctx that only forwards it, or as field `key` of a
        `ctx.run*` call whose target does not take it as a capability it checks? Also
        through a local const all of whose reads are forwarded. With `field`, `read` is an
        object that holds the value as that field (the arguments object written whole)."""
        if depth > 3:
            return False
        n, direct, key = read, field is None, field
        if read.type == "shorthand_property_identifier":  # `{ code }`
            direct, key = False, read.text
        while True:
            p = n.parent
            if p is None:
                return False
            if p.type in ("parenthesized_expression", "as_expression", "non_null_expression", "satisfies_expression",
                          "await_expression"):
                n = p
                continue
            if p.type == "pair":
                if n.field != "value":
                    return False
                key = js.property_key(p)
                n, direct = p, False
                continue
            if p.type in ("object", "array", "template_string", "template_substitution", "spread_element") \
                    or (p.type == "binary_expression" and p.has_tok("+")):
                n, direct = p, False
                continue
            if p.type == "variable_declarator" and n.field == "value":
                name = p.child("name")
                if name is None or name.type != "identifier" or js.enclosing_function(p) is None:
                    return False
                uses = list(scope.reads_of(js.enclosing_function(p), name.text or ""))
                return bool(uses) and all(self._only_forwarded(facts, func, u, depth + 1) for u in uses)
            if p.type != "arguments" or p.parent is None:
                return False
            call = p.parent
            site = func.site_of(call)
            if site is None:
                return False
            if site.global_name in _PASS_THROUGH:  # `JSON.stringify({ code })`, `new URLSearchParams({ code })`
                n, direct = call, False
                continue
            break
        if site.global_name == "fetch":
            return True
        if site.path and site.path[-1] in _RUN and site.ref is not None and site.ref.kind == "param":
            target = self._run_target(site)
            if target is None or key is None or target.handler is None:
                return False
            val = self.project.args_validator(target)
            if val is None or val.required().kind != "object" or key not in val.required().fields:
                return False
            if key in self._forwarding:
                return False  # a cycle of runs
            self._forwarding.add(key)
            try:
                return not (CAPABILITY_ARG.match(_camel(key)) and self._handler_checks(target, key)
                            and self._wrong_one_stops(facts, func, call, target))
            finally:
                self._forwarding.discard(key)
        target = self.project.callgraph.callee(facts, site)
        if target is None or not direct or any(
                (ref := facts.ref_of(a)) is not None and ref.kind == "param" and ref.index == 0 and not ref.path
                for a in map(js.unwrap, js.call_args(call)) if a is not None and a.type == "identifier"):
            return False  # a package's code, or a helper handed ctx: it may look the value up
        index = next((i for i, a in enumerate(js.call_args(call)) if a is n), None)
        hfacts, hinfo = target
        if index is None or hinfo.body is None:
            return False
        uses = [u for u, ref in hfacts.parameter_reads(hinfo, hinfo.body) if ref.index == index and not ref.path]
        return bool(uses) and all(self._only_forwarded(hfacts, hinfo, u, depth + 1) for u in uses)

    def allow_list_predicate(self, facts: FileFacts, site: CallSite) -> bool:
        """Is the call, given one value, a project function of one parameter that answers
        whether that value is one the function holds (`const isAdmin = (email) =>
        ADMIN_EMAILS.includes(email.toLowerCase())`, `(email) => email === process.env.OWNER`)?
        Asked about what the caller says about itself, its yes is the caller's to give. A test
        of the value's form (`/^[^@]+@/.test(email)`, `email.endsWith(...)`) is none."""
        target = self.project.callgraph.callee(facts, site) if len(js.call_args(site.node)) == 1 else None
        if target is None or len(target[1].params) != 1 or target[1].body is None:
            return False
        tfacts, func = target
        for n, ref in tfacts.parameter_reads(func, func.body):
            if ref.index != 0 or ref.path:
                continue
            test = allow_list_test(normalised(n), lambda x: any(
                r.index == 0 for _n, r in tfacts.parameter_reads(func, x)))
            if test is not None and _answered(test, func):
                return True
        return False

    def pinned_to_session(self, fn: "RegisteredFunction", name: str) -> bool:
        """Does the handler stop unless argument `name` is the caller's own, as the session it
        is authenticated by says (`if (session.userId !== args.userId) throw ...`, where
        `session` was looked up by the capability argument `sessionId`)? Then `name` is
        pinned to the caller, as a comparison with `ctx.auth`'s identity would pin it."""
        facts = self.project.handler_facts(fn)
        sessions = [e.argument for e in self.of(fn).evidence
                    if e.where == "args" and e.argument and _SESSION_ARG.search(e.argument)]
        if fn.handler is None or facts is None or not sessions:
            return False
        seeds = [n for s in sessions for n in self.argument_reads(fn, s) if n is not None]
        found = _Mentions(facts, seeds, list(facts.module.nodes_in(fn.handler.node, "variable_declarator")))
        for read in self.argument_reads(fn, name):
            cmp = js.outer(read).parent if read is not None else None
            if cmp is None or cmp.type != "binary_expression" or not (cmp.has_tok("!==") or cmp.has_tok("!=")):
                continue
            other = cmp.child("right") if js.outer(read) is cmp.child("left") else cmp.child("left")
            stmt = js.outer(cmp).parent
            if found.in_(other) and stmt is not None and stmt.type == "if_statement" \
                    and js.outer(cmp).field == "condition" and js.always_exits(stmt.child("consequence")):
                return True
        return False

    def argument_reads(self, fn: "RegisteredFunction", name: str, whole: bool = False):
        """Where the handler reads argument `name`: the read's node (`args.token`, a
        destructured `token`), or None where it uses the arguments object whole (with
        `whole`, the arguments object's node there, unless it is stored)."""
        handler, facts = fn.handler, self.project.handler_facts(fn)
        if handler is None or facts is None:
            return
        for n, ref in facts.parameter_reads(handler, handler.node):
            if ref.index != 1:
                continue
            if ref.path:
                if ref.path[0] == name:
                    yield n
                continue
            p = n.parent  # the arguments object: `args.token`, or handed on whole
            prop = p.child("property") if p is not None and p.type == "member_expression" and n.field == "object" else None
            pattern = p.child("name") if p is not None and p.type == "variable_declarator" and n.field == "value" else None
            if pattern is not None and pattern.type == "object_pattern":
                # `const { trackId, ...data } = args`: a named `token` is read where it is
                # used (ref.path above); otherwise it travels in the rest object, if any
                yield from _rest_reads(pattern, name)
                continue
            if prop is None:
                # written whole (`ctx.db.insert("links", args)`, `{ ...args }`): stored, field by field
                yield n if _stored_in_document(n) or whole else None
            elif prop.text == name:
                yield p

    def _scan(self, r: Reached, out: Access, where: str) -> None:
        facts = r.facts
        held = _secret_holders(r, self._returned_secret)  # (once for both questions below)
        secret = _secret_comparison(r, self._returned_secret, held=held) if held is not None else None
        if secret is not None:
            out.evidence.append(Evidence(facts, secret[0], f"a comparison with the secret `{secret[1]}`", where,
                                        about_caller=False))
        elif held is not None and (unset := _secret_comparison(r, self._returned_secret, fail_open=True,
                                                               held=held)) is not None:
            value = skipped_without_value(r, unset[0], *held)
            # a value skipped when missing is read by its presence test too: the node is the whole test
            node = unset[0] if value is None else _exiting_condition(unset[0])
            out.fail_open_secrets.append(Evidence(facts, node, f"`{unset[1]}`", where, about_caller=False,
                                                  skipped_without=facts.text(value) if value is not None else None))
        gate = _test_only_gate(r)
        if gate is not None:
            out.evidence.append(Evidence(facts, gate[0], f"a test-only switch (`{gate[1]}` must be set)", where,
                                        about_caller=False))
        builder = where == "builder"
        if where == "helper" and self._argument_fallback(*r.via[0]) is not None:
            return  # inside a guard whose failed check lets an argument in instead: it checks nothing
        swallowed_above = _swallowed(r, None, self._always_throws, builder)
        lost = bool(r.via) and reached_through_lost_promise(r)
        for site in r.func.all_calls():
            kind, what = self.classify(facts, site)
            if kind is None:
                continue
            if lost and kind != "identity":
                continue  # in a helper whose promise the caller drops: it checks too late (`_futile_guard`)
            if kind in ("identity", "fetch", "guard", "run") and \
                    (swallowed_above or _swallowed(r, site.node, self._always_throws, builder, below_via=True)):
                caught = None
                if kind != "run" and where == "handler" and not swallowed_above:
                    caught = _caught_as_null(r.func.node, site.node)
                elif kind != "run" and where == "helper" and swallowed_above and r.via[0][1].func is not None \
                        and (kind != "identity" or result_used(site.node)):
                    # the handler's `try { me = await requireUser(ctx) } catch { me = null }`
                    caught = _caught_as_null(r.via[0][1].func.node, r.via[0][1].node)
                if caught is not None and any(_used(read, 0) for read in caught):
                    # `try { me = await requireUser(ctx) } catch { me = null }`: optional sign-in,
                    # judged as `const me = await userIdOrNull(ctx)` is, by what `me` decides
                    out.evidence.append(Evidence(facts, site.node, what, where))
                    continue
                if caught is not None:
                    out.optional_identity.append(Evidence(facts, site.node, what, where))
                # `try { ... await requireUser(ctx) ... } catch { return null }` in a helper: a
                # signed-out caller's error becomes a value, and the handler goes on (so does an
                # action whose `ctx.runMutation` of a function that checks sits in such a `try`;
                # a caught run of one that checks no one loses only its data: not a check)
                if kind != "run" or self._checking_run_targets(r, site):
                    out.swallowed.append(Evidence(facts, site.node, what, where))
                continue
            if where == "helper" and kind in ("guard", "fetch") and self._null_passed_on(r, site):
                continue  # what it returns for a signed-out caller reaches a handler that goes on
            if where == "handler" and kind in ("guard", "fetch") \
                    and (fallback := self._argument_fallback(facts, site)) is not None:
                # `requireAdmin(ctx, args.currentUserId)` that catches the "not signed in" error
                # of its check and takes the user the argument names: a signed-out caller names an admin
                out.overridden_identity.append(Evidence(facts, site.node, fallback, where, argument=fallback))
                continue
            if kind == "identity":
                used = result_used(site.node)
                futile = futile_null_test(facts, site.node, what, True) if used else None
                if futile is not None or lost:
                    used = False
                only_extras = used and where == "handler" and not _value_acted_on(
                    _value_of(site.node), lambda read, depth: _used(read, depth) and not _only_for_extras(read))
                if only_extras:
                    used = False  # `if (userId) { mine = ... }`, then everything else for anyone
                elif used and where == "helper" and not _stops_caller(r):
                    used = False  # `if (!userId) return null` in a helper whose result the handler ignores
                elif not used and where == "helper" and _returns_optional_read(site.node) and _handler_stops_on_null(r):
                    used = True  # `return identity?.subject ?? null`, and the handler's `if (!userId) return []`
                signed_in_test = None
                if not used and where != "builder":
                    # the handler's own fetch, or its call into the helper that makes it
                    signed_in_test = _signed_in_test(site.node if not r.via else r.via[0][1].node)
                out.identity.append(IdentityFetch(facts, site, r if where != "builder" else None, used, signed_in_test,
                                                  futile, only_extras))
                arg = _argument_first(r, site) if used and where == "handler" else None
                refill = _refilled_from_argument(r, site) if used and where == "handler" and arg is None else None
                side = _argument_other_side(r, site) if used and where == "handler" and arg is None and refill is None \
                    else None
                if arg is not None or refill is not None:
                    out.overridden_identity.append(Evidence(facts, site.node, arg or refill, where, argument=refill))
                elif side is not None:
                    out.overridden_identity.append(Evidence(facts, site.node, side[0], where, switch=side[1]))
                elif used:
                    out.evidence.append(Evidence(facts, site.node, what, where))
                if used and where == "handler":
                    out.overridden_claims.extend(_overridden_claims(r, site, self._guard_call(r)))
                    out.target_roles.extend(_target_roles(r, site))
            elif kind == "fetch":
                if result_used(site.node) and where == "handler":
                    out.overridden_claims.extend(_overridden_claims(r, site, self._guard_call(r)))
                if result_used(site.node) and futile_null_test(facts, site.node, what, False) is None \
                        and not self._promise_of_own_lost(facts, site):
                    arg = _identity_argument_branch(r, site) if where == "handler" else None
                    if arg is not None:  # `if (args.userId) ... else { await getCurrentUser(ctx) }`
                        out.overridden_identity.append(Evidence(facts, site.node, arg, where))
                    else:
                        out.evidence.append(Evidence(facts, site.node, what, where))
            elif kind == "run":
                targets = self._checking_run_targets(r, site)
                if targets:
                    named = " or ".join(f"`{t.display_name}`" for t in targets)
                    out.evidence.append(Evidence(facts, site.node, f"{named} (via {what})", "runQuery"))
            elif kind == "guard" and where == "handler" and _on_arguments_only(r, site):
                # `isAdmin(args.email)`: a check of what the caller says about itself
                out.caller_decides.append(Evidence(facts, site.node, what, where))
            elif kind == "guard" and where == "handler" and self._blind_guard(r, site):
                # given ctx, but never asks it who is calling (`assertSuperAdmin(ctx,
                # args.authKitId)` looks the caller up by the argument; `requireFeatureEnabled(ctx)`)
                out.blind_guards.append(Evidence(facts, site.node, what, where))
            elif kind == "guard" and self._checks_nothing(facts, site):
                continue  # named like a guard, but its body calls nothing and throws nothing
            elif kind == "guard" and not _can_know_caller(r, site):
                continue  # `checkDuplicate(ids)` in a helper handed no ctx: nothing tells it who asks
            elif kind == "guard" and not self._may_stop(r, site):
                continue  # `checkDuplicate({ ... })`: handed data, throws nothing, and decides nothing
            elif kind == "guard" and (futile := self._futile_guard(r, site, what)) is not None:
                out.futile_guards.append(Evidence(facts, site.node, futile, where))
            elif kind == "rls":
                out.evidence.append(Evidence(facts, site.node, what, where, rls=self._rls_rules(facts, site)))
            else:
                out.evidence.append(Evidence(facts, site.node, what, where))
                if kind == "guard" and where == "handler" and result_used(site.node) \
                        and self._hands_back_caller(facts, site):
                    # named like a guard, but it fetches the caller and returns it (`const me =
                    # await requireUser(ctx)`): an argument in its place overrides it as for a fetch
                    out.overridden_claims.extend(_overridden_claims(r, site, self._guard_call(r)))

    def _null_passed_on(self, r: Reached, site: CallSite) -> bool:
        """Is `site`, in helper `r`, a call of a project helper that throws nothing (`verifyToken(ctx)`,
        which returns `{ token: identity.tokenIdentifier }` or null), made in a helper whose answer
        cannot stop the handler (it throws nothing, and the handler only checks the caller when
        it got one: `if (me) { ...throw... }`, then on for everyone)? It checks nothing then: the
        identity fetch inside it is judged on its own, as checking only a signed-in caller."""
        target = self.project.callgraph.callee(r.facts, site)
        return target is not None and self._throws_nothing(*target, 0) and not _stops_caller(r)

    def _throws_nothing(self, facts: FileFacts, func, depth: int) -> bool:
        """Does this project function surely not throw: no `throw` in it or in the project
        functions it calls (followed, whatever their names: `verifyClerkToken` is read, not
        taken to throw by its name), and no call of a package's function or guard?"""
        if depth > 3 or facts.module.nodes_in(func.node, "throw_statement"):
            return False
        for s in func.all_calls():
            target = self.project.callgraph.callee(facts, s)
            if target is not None:
                if not self._throws_nothing(*target, depth + 1):
                    return False
                continue
            kind, _what = self.classify(facts, s)
            if kind in ("fetch", "guard", "rls", "run") or s.ref is not None and s.ref.kind == "module":
                return False
        return True

    def _argument_fallback(self, facts: FileFacts, site: CallSite) -> str | None:
        """The handler's argument (its text) that `site`, a call of a helper of this project in
        the handler, hands to a parameter the helper falls back to when its check fails
        (`requireAdmin(ctx, args.currentUserId)`, whose `catch` of the "not signed in" error
        loads and returns the user that id names)."""
        target = self.project.callgraph.callee(facts, site) if site.ref is not None else None
        if target is None:
            return None
        params = self._fallback_params(*target, 0)
        args = js.call_args(site.node)
        for index in sorted(params):
            arg = js.unwrap(args[index]) if index < len(args) else None
            chain = js.member_chain(arg) if arg is not None else None
            ref = facts.ref_of(chain[0]) if chain is not None and chain[0].type == "identifier" else None
            if ref is not None and ref.kind == "param" and ref.index == 1 and ref.func is not None \
                    and ref.func.parent is None:
                return facts.text(arg)  # `args.currentUserId`, or a `currentUserId` destructured from args
        return None

    def _fallback_params(self, facts: FileFacts, func, depth: int) -> frozenset[int]:
        """The parameters (by index, ctx's aside) that `func` reads in a `catch` of its own
        identity check, fetch or guard which can end without throwing (`catch { if (userId)
        return await ctx.db.get(userId); throw ... }`), or hands to such a parameter of a helper
        it calls: with no one signed in, the value passed there decides who the caller is."""
        hit = self._fallbacks.get(id(func))
        if hit is not None and hit[1] is func:
            return hit[0]
        self._fallbacks[id(func)] = (frozenset(), func)  # a recursive helper adds nothing
        found: set[int] = set()
        for s in func.all_calls():
            kind, _what = self.classify(facts, s)
            if not self._asks_caller(facts, s, kind, depth):
                continue
            body = _catch_of(s.node, func.node)
            if body is not None and (not js.always_exits(body) or any(
                    js.enclosing_function(n) is func.node for n in facts.module.nodes_in(body, "return_statement"))):
                found.update(ref.index for _n, ref in facts.parameter_reads(func, body) if ref.index >= 1)
            target = self.project.callgraph.callee(facts, s) if kind != "identity" and depth < 3 else None
            if target is not None:
                args = js.call_args(s.node)
                for index in self._fallback_params(*target, depth + 1):
                    arg = js.unwrap(args[index]) if index < len(args) else None
                    ref = facts.ref_of(arg) if arg is not None and arg.type == "identifier" else None
                    if ref is not None and ref.kind == "param" and ref.func is func and ref.index >= 1 and not ref.path:
                        found.add(ref.index)
        out = frozenset(found)
        self._fallbacks[id(func)] = (out, func)
        return out

    def _asks_caller(self, facts: FileFacts, site: CallSite, kind: str | None, depth: int) -> bool:
        """Is `site` (of `kind`) an identity check, fetch or guard, or a call of a helper of this
        project that makes one (`sessionUser(ctx)`, which throws without a signed-in user)?"""
        if kind in ("identity", "fetch", "guard"):
            return True
        target = self.project.callgraph.callee(facts, site) if site.ref is not None and depth < 3 else None
        return target is not None and any(self._asks_caller(target[0], s, self.classify(target[0], s)[0], depth + 1)
                                          for s in target[1].all_calls())

    def stops_signed_out(self, fn: "RegisteredFunction") -> tuple[FileFacts, Node] | None:
        """Where `fn` stops when no one is signed in: its handler reads the identity and exits
        on null (`if (!identity) throw ...`, `if (!userId) return null`), a helper it calls
        throws on null, or its custom builder rejects a signed-out caller. Run with no identity
        (`ctx.run*` from a scheduled job), it always fails or answers nothing. (file, the
        identity read or the builder's check), or None."""
        access = self.of(fn)
        for i in access.identity:
            if i.reached is None:
                continue
            value = _value_of(i.site.node)
            if i.reached.depth == 0 and _value_acted_on(value, _stops_if_null) or \
                    i.reached.depth > 0 and _value_acted_on(value, _throws_if_null) \
                    and not _swallowed(i.reached, i.site.node, self._always_throws) \
                    and not reached_through_lost_promise(i.reached):
                return i.facts, i.site.node
        if fn.builder is not None and fn.builder.is_custom:
            for e in self.builder_access(fn.builder).evidence:
                if e.about_caller and e.rls is None:
                    return e.facts, e.node
        return None

    def requires_sign_in(self, fn: "RegisteredFunction", awaiting: Node | None = None) -> "IdentityFetch | None":
        """The identity read that makes `fn` throw on every run when no one is signed in: it
        runs on every call, in the handler or in a helper the handler awaits (through calls
        that run on every call too), and throws on null (`if (!identity) throw`). A scheduled
        or cron run has no identity, so such a function always fails there, whoever else calls
        it. `awaiting`: as if that floating call (`requireUser(ctx);`) were awaited, as adding
        `await` makes it; only reads reached through it count then. None when there is none."""
        for i in self.of(fn).identity:
            r = i.reached
            if r is None:
                continue
            sites = [site.node for _f, site in r.via]
            if awaiting is not None and not any(n is awaiting for n in sites):
                continue
            lost = [site.node for k, (_f, site) in enumerate(r.via)
                    if (r.via[k + 1][1].func if k + 1 < len(r.via) else r.func).is_async and promise_lost(site.node)]
            if any(n is not awaiting for n in lost):
                continue  # a dropped promise: what the helper throws reaches no one
            if not _value_acted_on(_value_of(i.site.node), _throws_if_null) \
                    or r.depth > 0 and _swallowed(r, i.site.node, self._always_throws):
                continue
            if all(js.runs_on_every_call(n) for n in (i.site.node, *sites)):
                return i
        return None

    def verified_secret(self, r: Reached) -> tuple[Node, str] | None:
        """A server secret checked against what the caller sent, in function `r`: compared
        with it (CVX401's shared-secret evidence) or handed to a verifier with it (a webhook
        signature: `validateEvent(body, headers, secret)`). Only reading the secret, or testing
        that it is set, checks nothing. (where, `process.env.X`) or None."""
        found = _secret_comparison(r, self._returned_secret)
        if found is not None:
            return found
        # (none read here: a client made by a helper that reads one may still be)
        held = _secret_holders(r, self._returned_secret) or ({}, {})
        callgraph = self.project.callgraph

        def keyed_client(call: Node) -> str | None:
            """`client()`, a project function that makes a client with a secret it reads."""
            site = r.func.site_of(call)
            target = callgraph.callee(r.facts, site) if site is not None else None
            if target is None:
                return None
            hfacts, hinfo = target
            return next((f"process.env.{u.env_var}" for u in hfacts.env_reads() if SECRET_ENV.search(u.env_var or "")
                         and u.func is not None and u.func.is_inside(hinfo)), None)

        return _secret_verifies_request(r, *held, lambda site: callgraph.callee(r.facts, site) is not None, keyed_client)

    def _returned_secret(self, facts: FileFacts, site: CallSite) -> tuple[str, bool] | None:
        """(`process.env.X`, whether it may be unset) when the project function `site` calls
        returns that secret (`EnvGetter`): a key getter whose result is then used to sign or
        compared with what the caller sent; an environment getter (`getEnv("SYNC_KEY")`) only
        when the call names a secret's variable as written."""
        target = self.project.callgraph.callee(facts, site) if site.ref is not None else None
        if target is None:
            return None
        hinfo = target[1]
        getter = self._secret_getters.get(id(hinfo), False)
        if getter is False:
            getter = self._secret_getters[id(hinfo)] = env_getter(*target)
        if getter is None:
            return None
        var = getter.var
        if var is None:
            args = js.call_args(site.node)
            arg = js.unwrap(args[getter.param]) if getter.param < len(args) else None
            if arg is not None and arg.type == "identifier":
                arg = js.unwrap(local_const(facts, arg)) or arg  # `const KEY = "SYNC_KEY"; getEnv(KEY)`
            var = js.string_value(arg)
        if var is None or not SECRET_ENV.search(var):
            return None
        return f"process.env.{var}", getter.may_be_unset

    def _hands_back_caller(self, facts: FileFacts, site: CallSite) -> bool:
        """Does the project function `site` calls fetch the caller's identity, throw only when
        there is none (`if (!user) throw ...`) and return what it found? Decided by its body,
        whatever its name; for a method of an object the handler holds (`access.requireUser()`
        after `const access = await getUserAuth(ctx)`), the fetch may be in another method
        of its class, which keeps what it found in a field (`this.me = ...`)."""
        target = self.project.callgraph.callee(facts, site)
        if target is not None:
            return self._returns_caller(*target, frozenset())
        method = self._instance_method(facts, site)
        if method is None:
            return False
        mfacts, info, cls = method
        fields: set[str] = set()
        for m in cls.children:
            minfo = mfacts.function_for(m) if m.type == "method_definition" else None
            seeds = [c.node for c in minfo.all_calls() if self._fetches_identity(mfacts, c)] if minfo is not None else []
            if not seeds:
                continue
            assigned = list(mfacts.module.nodes_in(m, "assignment_expression"))
            found = _Mentions(mfacts, seeds, [*mfacts.module.nodes_in(m, "variable_declarator"), *assigned])
            for a in assigned:
                chain = js.member_chain(a.child("left"))
                if chain is not None and chain[0].type == "this" and len(chain[1]) == 1 and found.in_(a.child("right")):
                    fields.add(chain[1][0])  # `this.me = await ...eq("tokenIdentifier", identity.tokenIdentifier)`
        return bool(fields) and self._returns_caller(mfacts, info, frozenset(fields))

    def _returns_caller(self, facts: FileFacts, func, fields: frozenset[str]) -> bool:
        """Does `func` return what an identity fetch found (its own fetch, a helper's, or a field
        of `this` in `fields`), and throw only when that is missing? One that also calls a
        guard (`await assertAdmin(ctx)`) checks more than signing in; Better Auth's
        `getAuthUser`, a guard that only fetches the caller, does not."""
        if func.body is None or any(self.classify(facts, c)[0] == "guard" and not requires_sign_in(self.linker, facts, c)
                                    for c in func.all_calls()):
            return False
        seeds = [c.node for c in func.all_calls() if self._fetches_identity(facts, c)]
        seeds += [m for m in facts.module.nodes_in(func.node, "member_expression")
                  if (chain := js.member_chain(m)) is not None and chain[0].type == "this" and chain[1][:1]
                  and chain[1][0] in fields]
        if not seeds:
            return False
        found = _Mentions(facts, seeds, list(facts.module.nodes_in(func.node, "variable_declarator")))
        returned = returned_values(func.node)
        if not returned or not all(found.in_(v) for v in returned):
            return False
        throws = [t for t in facts.module.nodes_in(func.node, "throw_statement") if js.enclosing_function(t) is func.node]
        return bool(throws) and all(_thrown_when_missing(t) for t in throws)

    def _instance_method(self, facts: FileFacts, site: CallSite):
        """The method a call on an object of a project class runs (callgraph.py `method`):
        (facts, FunctionInfo, class body) or None."""
        found = self.project.callgraph.method(facts, site)
        return found[:3] if found is not None else None

    def _guard_call(self, r: Reached) -> Callable[[Node], bool]:
        """Is a call of `r` a guard (`requireOwner(ctx, id)`, `access.hasRole("owner")`)?"""
        sites = {id(s.node): s for s in r.func.all_calls()}
        return lambda call: (s := sites.get(id(call))) is not None and self.classify(r.facts, s)[0] == "guard"

    def _rls_rules(self, facts: FileFacts, site: CallSite) -> RlsRules | None:
        """The rules of `wrapDatabaseReader/Writer(ctx, db, rules, config?)`,
        `RowLevelSecurity(rules, config?)` or convex-ents' `addEntRules(entDefinitions, rules)`;
        None when the rules or the config are not a literal object (through a const)."""
        name = site.path[-1]
        args = js.call_args(site.node)
        at = {"wrapDatabaseReader": 2, "wrapDatabaseWriter": 2, "addEntRules": 1}.get(name, 0)
        if len(args) <= at:
            return None
        rules = self._literal_object(facts, args[at])
        if rules is None:
            return None
        deny = False
        if name != "addEntRules" and len(args) > at + 1:
            config = self._literal_object(facts, args[at + 1])
            if config is None:
                return None
            policy = js.object_get(config, "defaultPolicy")
            if policy is not None and js.string_value(policy) not in ("allow", "deny"):
                return None
            deny = policy is not None and js.string_value(policy) == "deny"
        tables: dict[str, frozenset[str]] = {}
        allows_all: set[tuple[str, str]] = set()
        for prop in js.object_props(rules):
            if prop.spread or prop.key is None:
                return None  # `{ ...baseRules }`, `[name]: ...`: tables we cannot list
            rule = self._literal_object(facts, prop.value) if prop.value is not None else None
            # a write rule that is the constant `true` (`modify: async () => true`) lets through
            # what no rule would: the table is as open to that write as one without it (a read
            # rule so written says the table is public by design: it stays a rule)
            props = js.object_props(rule) if rule is not None else []
            always = {p.key for p in props if p.key is not None and _allows_everything(p.value)}
            allows_all.update((prop.key, k) for k in always)
            names = [p.key for p in props if p.key == "read" or p.key not in always]
            tables[prop.key] = frozenset("*" if n is None else n for n in names) if rule is not None else frozenset("*")
        return RlsRules(name == "addEntRules", tables, deny, frozenset(allows_all))

    def _literal_object(self, facts: FileFacts, node: Node | None) -> Node | None:
        node = js.unwrap(node)
        if node is not None and node.type == "identifier":
            value = local_const(facts, node)
            if value is None:
                d = self.linker.value_of(facts, node)
                value = d.node if isinstance(d, Def) and not d.path else None
            node = js.unwrap(value)
        return node if node is not None and node.type == "object" else None

    def rls_leaves_open(self, fn: "RegisteredFunction", rules: RlsRules) -> str | None:
        """A table `fn` (or a helper it reaches) touches through the database that row-level
        security with `rules` wraps, without the rule for what is done to it: that goes
        through for anyone. None: every table touched is covered (a table or id we cannot
        tell counts as covered)."""
        if rules.deny:
            return None

        def has(table: str | None, *names: str) -> bool:
            got = rules.tables.get(table) if table is not None else frozenset("*")
            return got is not None and ("*" in got or any(n in got for n in names))

        mutation = fn.kind == "mutation"
        if rules.ents:
            for r in self.project.reach(fn):
                for site, path in r.ctx_calls():
                    if path != ("table",):
                        continue
                    args = js.call_args(site.node)
                    table = js.string_value(args[0]) if args else None
                    method = _ents_write(site.node)
                    if method == "insert" and not has(table, "write"):
                        return table
                    # a mutation's reads (`getX(id)` before `.patch()`) are the write's own
                    if not has(table, "read", "write") if (method or mutation) else not has(table, "read"):
                        return table
            return None
        uses = fn.module.app.queries
        if uses.written_tables(fn) is None:
            return None  # a write we cannot follow
        for c in uses.calls_of(fn):
            if c.system or c.method in ("normalizeId", "vectorSearch"):
                continue
            explicit = c.method in ("insert", "query") or c.explicit
            table = c.table if explicit else uses.table_of(c.facts, c.id_node)
            if c.method == "insert":
                ok = has(table, "insert")
            elif c.method in ("patch", "replace", "delete"):
                # convex-helpers reads the document first: its read rule guards the write too,
                # unless it answers `true`
                ok = has(table, "modify") or (has(table, "read") and (table, "read") not in rules.allows_all)
            else:
                ok = has(table, "read", "modify", "insert") if mutation else has(table, "read")
            if not ok:
                return table
        return None

    def _blind_guard(self, r: Reached, site: CallSite, depth: int = 0, ctx_given: bool = True) -> bool:
        """A guard of this project that cannot learn who is calling: neither it nor anything
        it calls fetches an identity, reads `ctx.auth`, runs another function, wraps the
        database in row-level security or compares with a server secret, and the handler
        hands it no capability argument (a session token is access control without
        ctx.auth). In Convex only `ctx.auth` knows the caller, so whatever it checks, the
        caller chose."""
        if site.path and self.configured(site.path[-1]):
            return False  # named in `auth-helpers`: the user says it checks
        if depth == 0 and (_given_request(site) or any(CAPABILITY_ARG.match(p) for p in _argument_fields(r, site))
                           or not (_given_ctx_whole(r, site)
                                   or _handed_data_only(r, site, lambda call: self._run_result_is_data(r, call)))):
            # One handed the HTTP request may verify it; one not handed ctx may check what it
            # is handed (the signed-in user looked up before it, a webhook signature). Handed
            # only data (arguments, rows), it can still compare them with a server secret.
            return False
        if depth == 0:
            # handed only data, the guard has no ctx: what the call graph takes for its ctx
            # (its first parameter) is a value (`assertValidSymbol(symbol)`), and handing that
            # to `regex.test(symbol)` hands no ctx on
            ctx_given = _given_ctx_whole(r, site)
        callgraph = self.project.callgraph
        target = callgraph.callee(r.facts, site)
        if target is None or depth > 3:
            return False
        for inner in callgraph.reach(*target):
            if any(_swallows(f, v.node, False, self._always_throws) for f, v in inner.via):
                continue  # its "not signed in" error is caught and turned into a value: no stop
            if _secret_comparison(inner, self._returned_secret) is not None:
                return False
            if ctx_given and any(path[:1] == ("auth",) for _use, path in inner.ctx_uses()):
                return False
            if ctx_given and any(not path and not limits_rate(self.linker, inner.facts, s)
                                 for s, path in self._ctx_handed_on(inner)):
                return False  # ctx handed to code we cannot see (`enforce(ctx, ...)` of a package)
            for s in inner.func.all_calls():
                kind, _what = self.classify(inner.facts, s)
                if kind in ("identity", "fetch", "guard") and \
                        _swallows(inner.facts, s.node, False, self._always_throws):
                    continue  # its error is caught and turned into a value: a signed-out caller goes on
                if kind == "run" and not self._run_may_know_caller(s):
                    continue  # `ctx.runQuery(internal.teams.all)`: the function run asks nobody either
                if kind in ("identity", "fetch", "rls", "run"):
                    return False
                if kind == "guard" and not self._blind_guard(inner, s, depth + 1, ctx_given):
                    return False
        return True

    def _futile_guard(self, r: Reached, site: CallSite, what: str) -> str | None:
        """Why a call of a guard of this project protects nothing: it is async and its promise
        is dropped or only tested (what it throws or answers comes too late), or it throws
        nothing and its answer is dropped (`await canEdit(ctx, id);`). A guard that throws
        (`await requireUser(ctx);`) stops the caller with its result dropped."""
        target = self.project.callgraph.callee(r.facts, site)
        if target is None and requires_sign_in(self.linker, r.facts, site) and promise_lost(site.node):
            # Better Auth's `getAuthUser` is async: its "Unauthenticated" comes too late
            return f"{what} is not awaited: what it throws comes after the function went on; `await` it"
        if target is None:
            return None  # a package's guard: we cannot see what it does
        if self._promise_of_own_lost(r.facts, site):
            return (f"{what} is not awaited: its promise is never null, and what it throws comes after the "
                    "function went on; `await` it")
        value = _value_of(site.node)
        if value.parent is not None and value.parent.type == "expression_statement" \
                and not self._may_throw(*target, 0):
            return (f"{what} throws nothing, and its answer is dropped; throw when it answers no "
                    f"(`if (!(await {site.path[-1]}(...))) throw ...`)")
        return None

    def _promise_of_own_lost(self, facts: FileFacts, site: CallSite) -> bool:
        """A call of an async function of this project whose promise is dropped or only tested
        (`const user = getCurrentUser(ctx); if (!user) throw`)."""
        target = self.project.callgraph.callee(facts, site)
        return target is not None and target[1].is_async and promise_lost(site.node)

    def _may_throw(self, facts: FileFacts, func, depth: int) -> bool:
        """Can this function of the project throw, itself or through what it calls? Only calls
        on its parameters and locals (`ctx.db.get`, `ctx.auth.getUserIdentity()`,
        `roles.includes(r)`) and globals are taken not to: a package's function, a `ctx.run*`
        or a guard may throw, and so may a project function that does."""
        if depth > 3 or facts.module.nodes_in(func.node, "throw_statement"):
            return True
        for s in func.all_calls():
            kind, _what = self.classify(facts, s)
            if kind in ("fetch", "guard", "rls", "run"):
                return True
            target = self.project.callgraph.callee(facts, s)
            if target is not None:
                if self._may_throw(*target, depth + 1):
                    return True
            elif s.ref is not None and s.ref.kind == "module":
                return True
        return False

    def _always_throws(self, facts: FileFacts, call: Node) -> bool:
        """Is `call` (a call in `facts`) a call of a function of this project that always
        throws: one typed `never` (`function fail(e: unknown): never`), or one that returns
        nowhere and ends in a `throw` (logs the error, then rethrows it)?"""
        info = facts.enclosing_function(call)
        site = next((s for s in (info.calls if info is not None else facts.module_calls) if s.node is call), None)
        target = self.project.callgraph.callee(facts, site) if site is not None else None
        if target is None:
            return False
        func = target[1]
        returns = func.node.child("return_type")
        declared = returns.children[0] if returns is not None and returns.children else None
        if declared is not None and declared.type == "predefined_type" and declared.has_tok("never"):
            return True
        body = func.body
        return body is not None and body.type == "statement_block" and bool(body.children) \
            and body.children[-1].type == "throw_statement" and not js.return_statements(func.node)

    def _checks_nothing(self, facts: FileFacts, site: CallSite) -> bool:
        """A guard-named function of this project that reads none of its parameters, calls
        nothing and throws nothing (`requireRole(ctx, "admin")` that only returns "owner", a
        stub left in place). One that reads them (`ctx.user != null`) may be the check."""
        target = self.project.callgraph.callee(facts, site)
        if target is None:
            return False
        tfacts, info = target
        if info.body is None or any(True for _ in info.all_calls()) or tfacts.module.nodes_in(info.node, "throw_statement"):
            return False
        return next(tfacts.parameter_reads(info, info.body), None) is None

    def classify(self, facts: FileFacts, site: CallSite) -> tuple[str | None, str]:
        """What an auth-relevant call is: identity | fetch | guard | rls | run, or None."""
        # asked of every call by several rules and by `_scan`: decided once per site and run
        hit = self._classified.get(id(site))
        if hit is None or hit[1] is not site:
            hit = self._classified[id(site)] = (self._classify(facts, site), site)
        return hit[0]

    def _classify(self, facts: FileFacts, site: CallSite) -> tuple[str | None, str]:
        path = site.path
        if not path or site.is_new:
            return None, ""
        name = path[-1]
        if (name in CONVEX_AUTH_METHODS or name in SIGN_IN_METHOD_NAMES) and len(path) == 2:
            # the receiver decides (convexAuth's `auth`, Better Auth's `createClient(...)`)
            return self._classify_by_name(facts, site)
        if name in _RUN and len(path) == 1 and site.ref is not None and site.ref.kind == "local" \
                and self._ctx_method_alias(facts, site):
            return "run", f"`ctx.{name}`"  # (the local's value decides: not kept by name)
        key = (path[-2:], site.ref is not None and site.ref.kind == "param")
        hit = self._by_name.get(key)
        if hit is None:
            hit = self._by_name[key] = self._classify_by_name(facts, site)
        return hit

    def _classify_by_name(self, facts: FileFacts, site: CallSite) -> tuple[str | None, str]:
        """`classify` from the call's last two names and whether it is made on a parameter,
        except for `CONVEX_AUTH_METHODS` on a receiver, where the linker decides."""
        path = site.path
        if path[-2:] == ("auth", "getUserIdentity"):
            return "identity", "`ctx.auth.getUserIdentity()`"
        name = path[-1]
        if name in _RUN and site.ref is not None and site.ref.kind == "param":
            return "run", f"`ctx.{name}`"
        if self.configured(name):
            return "guard", f"`{name}()`"
        if name in IDENTITY_FUNCTIONS:
            return "identity", f"`{name}()`"
        if name in CONVEX_AUTH_METHODS and len(path) == 2 and self._convex_auth_object(facts, site):
            return "identity", f"`{path[0]}.{name}()`"
        if requires_sign_in(self.linker, facts, site):
            # `await authComponent.getAuthUser(ctx);` throws for a signed-out caller: its
            # result may be dropped (`safeGetAuthUser`, named like a fetch, stays one)
            return "guard", f"`{path[0]}.{name}()`"
        if name in RLS_FUNCTIONS:
            return "rls", f"row-level security (`{name}`)"
        if name in _NOT_GUARDS:
            return None, ""
        if GUARD_NAME.search(name):
            return "guard", f"`{name}()`"
        if FETCH_NAME.match(name):
            return "fetch", f"`{name}()`"
        return None, ""

    def _ctx_method_alias(self, facts: FileFacts, site: CallSite) -> bool:
        """Is the local a bare `runQuery(ref, ...)` calls the ctx's own method of that name:
        `const runQuery = ctx.runQuery.bind(ctx)`, or what a project function returns that
        only hands back that method of the ctx it is given (`getShallowRunQuery(ctx)`, which
        casts `ctx.runQuery` to a loosely typed function)? (`const runQuery = ctx.runQuery`
        and `const { runQuery } = ctx` are read as the parameter itself already.)"""
        ref = site.ref
        found = scope.declarator_of(ref.func.node, site.path[0]) if ref is not None and ref.func is not None else None
        if found is None or found[1] is not found[0].child("name"):
            return False
        return _holds_ctx_method(facts, ref.func, found[0].child("value"), site.path[0], self.project.callgraph)

    def _convex_auth_object(self, facts: FileFacts, site: CallSite) -> bool:
        """Is the receiver the `auth` of `export const { auth } = convexAuth({...})`?"""
        callee = site.callee
        obj = callee.child("object") if callee is not None and callee.type == "member_expression" else None
        d = self.linker.value_of(facts, obj) if obj is not None else None
        if not isinstance(d, Def) or d.path != ("auth",) or d.node.type != "call_expression":
            return False
        fn = self.linker.value_of(d.facts, js.callee(d.node))
        return isinstance(fn, ExternalDef) and fn.module == "@convex-dev/auth/server" and fn.name == "convexAuth"

    def _may_stop(self, r: Reached, site: CallSite) -> bool:
        """Can a guard-named call stop the function: it is handed ctx, something it reaches
        throws, or the caller stops on its result (`if (!checkAccess(...)) throw`)? A helper
        handed only data that throws nothing and whose result is only used as data
        (`const dup = checkDuplicate({ ... }); return dup`) is no check at all."""
        if _handed_ctx(r, site.node) or stops_on_null_at(site.node):
            return True
        target = self.project.callgraph.callee(r.facts, site)
        if target is None:
            return True  # a package's function: it may throw
        return any(inner.facts.module.nodes_in(inner.func.node, "throw_statement")
                   for inner in self.project.callgraph.reach(*target))

    def _run_may_know_caller(self, site: CallSite) -> bool:
        """Can the function a `ctx.run*` call runs learn who is calling (the identity passes
        through ctx.run*)? Unknown targets may."""
        targets = self._run_targets(site.node)
        if targets is None:
            return True
        return any(bool(acc.identity) or acc.unknown or any(e.about_caller for e in acc.evidence)
                   for acc in map(self.of, targets))

    def _run_result_is_data(self, r: Reached, call: Node) -> bool:
        """Is a call in a handler a `ctx.run*` of a function that cannot learn who is calling?
        What it returns is then data like a `ctx.db` read: an action has no `ctx.db`, and
        `ctx.runQuery(internal.accounts.byExternal, { externalId })` is how it reads the
        row an argument picked."""
        site = r.func.site_of(call)
        return site is not None and self.classify(r.facts, site)[0] == "run" and not self._run_may_know_caller(site)

    def _run_target(self, site: CallSite) -> "RegisteredFunction | None":
        """The function a `ctx.run*` call runs, when it names one (see `_run_targets`)."""
        use = self.project.call_index.use_at(site.node)
        return use.target if use is not None else None

    def _run_targets(self, call: Node) -> "list[RegisteredFunction] | None":
        """The app's functions a `ctx.run*` call may run: one, or one of several (a reference
        picked from a registry, `ADAPTERS[provider].run`). None when one of them is unknown."""
        targets = [u.target for u in self.project.call_index.uses_at(call)]
        if not targets or any(t is None or t.module.app is None for t in targets):
            return None
        return targets

    def _checking_run_targets(self, r: Reached, site: CallSite) -> "list[RegisteredFunction]":
        """The app's functions a `ctx.run*` call may run, when each of them checks the caller
        (or checks what this call hands it from the caller's input): whichever runs refuses a
        caller it does not admit. [] when one does not."""
        targets = self._run_targets(site.node) or []
        if all(any(e.about_caller or self._secret_handed(r, site, t, e) for e in self.of(t).evidence)
               for t in targets):
            return targets
        return []

    def _secret_handed(self, r: Reached, site: CallSite, target: "RegisteredFunction", e: Evidence) -> bool:
        """Does the `ctx.run*` call at `site` hand `target` what its evidence `e` checks from
        the calling function's own input (the outer caller had to know it)? For a capability
        argument, a wrong one must also stop the caller: the function run throws, or the
        caller stops before any effect when what it gets back is null (`if (!share) throw`).
        A lookup by a promo code is no check: landing pages print the code ("PENNY"), and
        `if (coupon) { ... }` with the checkout after it lets anyone through."""
        if not _forwards_input(r, site, e.argument):
            return False
        if e.where != "args" or e.argument is None:
            return True
        if (handed := _run_field_argument(r, site, e.argument)) is not None and _PROMO_ARG.match(handed):
            return False
        return bool(r.via) or self._wrong_one_stops(r.facts, r.func, site.node, target)  # (a helper's caller
        # may stop on what it returns)

    def _wrong_one_stops(self, facts: FileFacts, func, call: Node, target: "RegisteredFunction") -> bool:
        """Does a wrong capability handed to `target` by the `ctx.run*` call stop the function
        that makes the call: the function run may throw (and the run with it), or the caller
        stops on the null it gets back before any effect (`_miss_ends`)?"""
        return any(_throws(inner) for inner in self.project.reach(target)) or _miss_ends(facts, func, call)


def _holds_ctx_method(facts: FileFacts, func: FunctionInfo, value: Node | None, method: str, callgraph,
                      depth: int = 0) -> bool:
    """Is `value`, written in `func`, the `method` of one of `func`'s parameters (`ctx.runQuery`,
    cast or `.bind(ctx)`), or the result of a project function given a parameter of `func`
    whose every return is that method of the parameter it was handed?"""
    value = js.unwrap(value)
    if value is None or depth > 2:
        return False
    if value.type == "call_expression":
        callee = js.unwrap(js.callee(value))
        prop = callee.child("property") if callee is not None and callee.type == "member_expression" else None
        if prop is not None and prop.text == "bind":  # `ctx.runQuery.bind(ctx)`
            return _holds_ctx_method(facts, func, callee.child("object"), method, callgraph, depth)
        site = func.site_of(value)
        target = callgraph.callee(facts, site) if site is not None else None
        if target is None:
            return False
        tfacts, tfunc = target
        returned = returned_values(tfunc.node)
        args = js.call_args(value)
        for r in returned:
            chain = js.member_chain(js.unwrap(r) or r)
            if chain is None or chain[0].type != "identifier":
                return False
            pref = tfacts.ref_of(chain[0])
            if pref is None or pref.kind != "param" or pref.func is not tfunc or pref.path or pref.index >= len(args) \
                    or not _holds_ctx_method(tfacts, tfunc, r, method, callgraph, depth + 1):
                return False
            given = js.unwrap(args[pref.index])
            gref = facts.ref_of(given) if given is not None and given.type == "identifier" else None
            if gref is None or gref.kind != "param" or gref.path:
                return False  # handed something other than a parameter of `func` (the ctx) whole
        return bool(returned)
    chain = js.member_chain(value)
    if chain is None or chain[0].type != "identifier" or chain[1] != [method]:
        return False
    ref = facts.ref_of(chain[0])
    return ref is not None and ref.kind == "param" and not ref.path


_ENTS_WRITES = frozenset(["insert", "insertMany", "patch", "replace", "delete"])


def _ents_write(table_call: Node) -> str | None:
    """The write a convex-ents chain `ctx.table("t")...` ends in: "insert" for
    `.insert()`/`.insertMany()`, "modify" for `.getX(id).patch()` & co., None for a read."""
    n = table_call
    found = None
    while n.parent is not None:
        p = n.parent
        if p.type == "member_expression" and n.field == "object":
            prop = p.child("property")
            name = prop.text if prop is not None else None
            if name in _ENTS_WRITES:
                found = "insert" if name.startswith("insert") else "modify"
        elif not (p.type in ("call_expression", "await_expression", "parenthesized_expression")
                  or (p.type == "non_null_expression")):
            break
        n = p
    return found


def _swallows(facts: FileFacts, call: Node, in_handler: bool, always_throws: AlwaysThrows) -> bool:
    """Is `call` (in `facts`) inside a `try` (of its own function) whose `catch` throws nothing?
    In the handler, a catch that returns stops the caller too; in a helper it hands its caller
    a value instead of the error (`catch { return null }`). A catch that calls a function
    which always throws (`catch (e) { handleServerError(e) }`) throws as `throw e` would."""
    p = js.catching_try(call)
    if p is None or js.catch_throws(p) is not False:
        return False
    body = p.child("handler").child("body")
    owner = js.enclosing_function(p)
    if any(c.type == "call_expression" and js.enclosing_function(c) is owner and always_throws(facts, c)
           for c in body.walk()):
        return False
    return not (in_handler and (js.always_exits(body) or _try_guards_in_place(p, call, owner)))


def _catch_of(call: Node, owner: Node) -> Node | None:
    """The `catch` block of the `try` of function `owner` whose body holds `call`."""
    n = call
    while n.parent is not None and n is not owner:
        p = n.parent
        if p.type == "try_statement" and n.field == "body" and js.enclosing_function(p) is owner:
            catch = p.child("handler")
            return catch.child("body") if catch is not None else None
        n = p
    return None


# methods that change the object they are called on: `out.push(doc)` hands `doc` on
_MUTATING_METHODS = frozenset(["push", "unshift", "splice", "set", "add", "assign"])


def _try_guards_in_place(try_node: Node, call: Node, owner: Node | None) -> bool:
    """In a handler, is a caught check still a check: the `try` holds the check and what it
    protects, and a caller who fails it reaches nothing more? The per-item "partial success"
    loop (`for (id of ids) try { const row = await ctx.db.get(id); await mustBeMember(ctx,
    row.orgId); await ctx.db.patch(...) } catch { failed.push(id) }`): the catch lets the
    caller go on only to what follows the `try` (the catch, the next turn, the rest of the
    handler), so that must not touch ctx, await or fetch; and what the `try` did before the check must not
    have been handed out of it (`out.push(row)`, `last = row`)."""
    if owner is None or js.enclosing_function(owner) is not None:
        return False  # a callback written in the handler: its caller goes on after it, unread here
    params = js.function_params(owner)
    ctx_names = {name for name, _, _ in js.pattern_names(params[0])} if params else set()
    body = try_node.child("body")
    if not ctx_names or body is None:
        return False
    # what runs after the catch: the catch and finally blocks, what follows the `try` in each
    # enclosing block, and, inside a loop, all of the loop again but the `try` itself
    after = [c for c in try_node.children if c is not body]
    looped = False
    path = []
    n = try_node
    while n.parent is not None and n is not owner:
        path.append((n.parent, n))
        n = n.parent
    for parent, on_path in reversed(path):
        if parent.type in js.LOOP_TYPES:
            looped = True
        after.extend(c for c in parent.children if c is not on_path and (looped or c.start >= on_path.end))
    for x in (x for a in after for x in a.walk()):
        if x.type == "identifier" and x.text in ctx_names or x.type == "await_expression" or \
                x.type == "call_expression" and js.dotted_name(js.callee(x)) == "fetch":
            return False  # it reads or writes data, or calls out (an action's `await fetch(...)`)
    local = {name for d in body.walk() if d.type == "variable_declarator"
             for name, _, _ in js.pattern_names(d.child("name"))}
    for x in body.walk():
        if x.end > call.start:
            continue
        target = None
        if x.type in ("assignment_expression", "augmented_assignment_expression"):
            target = x.child("left")
        elif x.type == "call_expression":
            f = js.callee(x)
            prop = f.child("property") if f is not None and f.type == "member_expression" else None
            if prop is not None and prop.text in _MUTATING_METHODS:
                target = f.child("object")
                if prop.text == "assign":  # `Object.assign(outer, row)`
                    args = js.call_args(x)
                    target = args[0] if args else None
        while target is not None and target.type in ("member_expression", "subscript_expression"):
            target = js.unwrap(target.child("object"))
        if target is not None and not (target.type == "identifier" and target.text in local):
            return False
    return True


def _swallowed(r: Reached, call: Node | None, always_throws: AlwaysThrows, builder: bool = False,
               below_via: bool = False) -> bool:
    """Is the error of `call` (a call in `r`; None: `r` itself) caught on the way to the
    handler and turned into a value the handler goes on with? A helper's `catch { return
    null }` still stops the handler when the handler calls that helper itself and stops on
    null (`if (!company) throw ...`). In a builder's customization (`builder`), a `catch`
    that returns hands the handler a value (`{ user: null }`): it stops nothing.
    `below_via`: only ask about `call` in `r`, the calls on the way to `r` being known not
    to (`_swallowed(r, None, ...)` said no)."""
    calls = [(f, site.node) for f, site in r.via] + ([(r.facts, call)] if call is not None else [])
    for depth, (facts, node) in enumerate(calls):  # `node` sits in the function reached at `depth`
        if below_via and depth < len(r.via):
            continue
        if _swallows(facts, node, depth == 0 and not builder, always_throws) and not (depth == 1 and not builder
                                                                         and stops_on_null_at(calls[0][1])):
            return True
    return False


def _caught_as_null(handler: Node, call: Node) -> list[Node] | None:
    """When `call`, in the handler, sits in a `try` whose `catch` leaves the variable it is
    assigned to null or undefined (`try { me = await requireUser(ctx) } catch { me = null }`):
    the reads of that variable after the `try`. The handler goes on with the identity or
    null, as it would after `const me = await userIdOrNull(ctx)`."""
    value = _value_of(call)
    assign = value.parent
    if assign is None or assign.type != "assignment_expression" or value.field != "right":
        return None
    left = js.unwrap(assign.child("left"))
    if left is None or left.type != "identifier":
        return None
    name = left.text or ""
    n = assign
    while n.parent is not None and not (n.parent.type == "try_statement" and n.field == "body"):
        if n.type in js.FUNCTION_TYPES:
            return None
        n = n.parent
    try_node = n.parent
    catch = try_node.child("handler") if try_node is not None else None
    body = catch.child("body") if catch is not None else None
    if body is None or try_node.child("finalizer") is not None:
        return None
    for x in body.walk():
        if x.type in ("assignment_expression", "augmented_assignment_expression"):
            target = js.unwrap(x.child("left"))
            if target is not None and target.type == "identifier" and target.text == name \
                    and not _is_nullish(js.unwrap(x.child("right"))):
                return None  # the catch puts someone else there
    declared = next((d for d in handler.walk() if d.type == "variable_declarator"
                     and d.child("name") is not None and d.child("name").text == name), None)
    if declared is None or declared.start > try_node.start:
        return None
    init = declared.child("value")
    if init is not None and not _is_nullish(js.unwrap(init)) and \
            not any(x.type == "assignment_expression" and js.unwrap(x.child("left")) is not None
                    and js.unwrap(x.child("left")).text == name for x in body.walk()):
        return None  # `let me = guest; try {...} catch {}`: a signed-out caller is somebody
    return [read for read in scope.reads_of(handler, name) if read.start >= try_node.end
            and not (read.parent is not None and read.parent.type == "assignment_expression" and read.field == "left")]


def stops_on_null_at(call: Node) -> bool:
    """Does the handler stop when the value of `call` (a helper's result) is null?"""
    return _value_acted_on(_value_of(call), _stops_if_null)


def _stops_if_null(read: Node, _depth: int) -> bool:
    """Is this read of a value the condition of an `if` that always exits when it is null
    (`if (!x) throw`, `if (x === null || ...) return`)?"""
    return _exit_if_null(read) is not None


def _throws_if_null(read: Node, _depth: int) -> bool:
    """`if (!x) throw ...`: the exit on null is a `throw`, which stops the caller of a helper
    too (a `return` there only ends the helper)."""
    return _ends_in_throw(_exit_if_null(read))


def _exit_if_null(read: Node) -> Node | None:
    """The branch of the `if` whose condition this read is and that always exits when the
    value is null (`if (!x) throw`, `if (x === null || ...) return`), or None."""
    o = js.outer(read)
    p = o.parent
    while p is not None and (p.type == "unary_expression" and p.has_tok("!")
                             or p.type == "binary_expression" and p.has_tok("||")
                             or p.type == "binary_expression" and any(p.has_tok(t) for t in ("===", "==")) and
                             _is_nullish(js.unwrap(p.child("right") if o.field == "left" else p.child("left")))):
        o = js.outer(p)
        p = o.parent
    if p is not None and p.type == "if_statement" and o.field == "condition" and js.always_exits(p.child("consequence")):
        return p.child("consequence")
    return None


# fields that make a table's rows people's, whatever the table is called: how to reach them
# (`inquiries` with `email` and `phone`), or the account a row is (`doctors.authUserId`; an
# owner link such as `clerkId` or `userId` is as common on content, so it is not one)
_CONTACT_FIELD = re.compile(r"^(e_?mail|email_?address|phone|phone_?number|mobile|home_?address|date_?of_?birth)$", re.I)
_ACCOUNT_FIELD = re.compile(r"^(token_?identifier|auth_?user_?id)$", re.I)


# Convex Auth's table of the ways each user signs in: deleting a row ends that sign-in
_ACCOUNT_TABLES = frozenset(["authAccounts"])
# what makes the rows of a `users` table people who sign in (a link to the sign-in provider,
# an email), not, say, a bot's records of a chat's members keyed by the chat
_SIGN_IN_FIELD = re.compile(r"^(token_?identifier|auth_?user_?id|clerk_?(user_?)?id|external_?id|subject"
                            r"|e_?mail(_?address)?)$", re.I)


def account_table(app, table: str) -> bool:
    """Is `table` one of the app's accounts: Convex Auth's `authAccounts`, or a `users` table
    that is Convex Auth's (spread from `authTables`, or redefined over it) or whose rows link
    to a sign-in (`tokenIdentifier`, `clerkId`, `email`, ...)?"""
    schema = app.schema if app is not None else None
    t = schema.table(table) if schema is not None and schema.readable else None
    if t is None or table not in _ACCOUNT_TABLES and (table != "users" or not t.known):
        return False
    if table in _ACCOUNT_TABLES or t.external or t.library_indexes:
        return True
    doc = t.document.required() if t.document is not None else None
    return doc is not None and doc.kind == "object" and any(_SIGN_IN_FIELD.match(name) for name in doc.fields)


def _people_field(app, table: str, contact: bool) -> str | None:
    """A top-level field of `table` that links its rows to a sign-in account, or (with
    `contact`) holds a person's contact details."""
    schema = app.schema if app is not None else None
    t = schema.table(table) if schema is not None and schema.readable else None
    doc = t.document.required() if t is not None and t.known and not t.external else None
    if doc is None or doc.kind != "object":
        return None
    return next((name for name in doc.fields
                 if _ACCOUNT_FIELD.match(name) or contact and _CONTACT_FIELD.match(name)), None)


def _ctx_read_path(ctx: Node) -> bool:
    """Is this `ctx` the start of a read of data (`ctx.db.query`, `ctx.db.get`,
    `ctx.runQuery`)? A write (`ctx.db.insert` of a session the miss creates) reads nothing."""
    path, n = [], ctx
    while len(path) < 2 and n.parent is not None and n.parent.type == "member_expression" and n.field == "object":
        prop = n.parent.child("property")
        path.append(prop.text if prop is not None else "")
        n = n.parent
    return tuple(path[:1]) == ("runQuery",) or tuple(path) in (("db", "query"), ("db", "get"))


def _declared_by(stmt: Node, read: Node) -> Node | None:
    """The value of the declarator of `stmt` (`const x = ...`) that holds `read`, when it
    declares a plain name."""
    if stmt.type not in ("lexical_declaration", "variable_declaration"):
        return None
    for d in stmt.children:
        value, name = d.child("value"), d.child("name")
        if d.type == "variable_declarator" and value is not None and name is not None \
                and name.type == "identifier" and value.start <= read.start < value.end:
            return value
    return None


def _miss_branch(stmt: Node, var: str, body: Node) -> tuple[int, int] | None:
    """Where the code runs that runs when `var` is null, as told by this `if` of the body:
    the rest of the body after `if (var) return var;`, or the branch of `if (!var) {...}`."""
    if stmt.type != "if_statement":
        return None
    cond = js.unwrap(stmt.child("condition"))
    negated = False
    if cond is not None and cond.type == "unary_expression" and cond.has_tok("!"):
        cond, negated = js.unwrap(cond.child("argument")), True
    elif cond is not None and cond.type == "binary_expression" and any(cond.has_tok(t) for t in ("===", "==", "!==", "!=")) \
            and _is_nullish(js.unwrap(cond.child("right"))):
        negated = cond.has_tok("===") or cond.has_tok("==")
        cond = js.unwrap(cond.child("left"))
    if cond is None or cond.type != "identifier" or cond.text != var:
        return None
    consequence, alternative = stmt.child("consequence"), stmt.child("alternative")
    if negated:
        return (consequence.start, consequence.end) if consequence is not None else None
    if alternative is not None:
        return (alternative.start, alternative.end)
    return (stmt.end, body.end) if js.always_exits(consequence) else None


def _miss_ends(facts: FileFacts, func, call: Node) -> bool:
    """Does the function stop when the value of `call` is null before anything with an
    effect runs: `if (!found) throw ...` (or `return`), or, for `const found = await ...` as
    a statement of its body, does every later use of ctx and every `fetch` run only when
    `found` is there (in `if (found) { ... }`, the `else` of `if (!found)`)? `if (coupon)
    { ...discount }` followed by the checkout lets a caller without a code through."""
    if stops_on_null_at(call):
        return True
    body, stmt = func.body, js.statement_of(call)
    found = _declared_by(stmt, call) if body is not None and stmt is not None and stmt.parent is body else None
    if found is None or found.start != _value_of(call).start:
        return False
    var = found.parent.child("name").text or ""
    only_if_found = []
    for test in facts.module.nodes_in(body, "if_statement"):
        there = _presence_test(test.child("condition"), var) if test.start >= stmt.end else None
        branch = test.child("consequence") if there else test.child("alternative") if there is False else None
        if branch is not None:
            only_if_found.append(branch)
    effects = [n for n, ref in facts.parameter_reads(func, body) if ref.index == 0 and n.start >= stmt.end]
    effects += [site.node for site in func.all_calls() if site.global_name == "fetch" and site.node.start >= stmt.end]
    return all(any(b.start <= n.start < b.end for b in only_if_found) for n in effects)


def _presence_test(cond: Node | None, var: str) -> bool | None:
    """True when the condition holds only if `var` is there (`found`, `found !== null`,
    `found && found.active`, `found.active`), False when it holds whenever `var` is missing
    (`!found`, `found === null || ...`), None when it says neither."""
    cond = js.unwrap(cond)
    if cond is None:
        return None
    if cond.type == "identifier":
        return True if cond.text == var else None
    if cond.type == "member_expression":
        chain = js.member_chain(cond)
        return True if chain is not None and chain[0].type == "identifier" and chain[0].text == var else None
    if cond.type == "unary_expression" and cond.has_tok("!"):
        inner = _presence_test(cond.child("argument"), var)
        return None if inner is None or js.unwrap(cond.child("argument")).type == "member_expression" else not inner
    if cond.type != "binary_expression":
        return None
    left, right = js.unwrap(cond.child("left")), js.unwrap(cond.child("right"))
    if any(cond.has_tok(t) for t in ("===", "==", "!==", "!=")) and right is not None and _is_nullish(right) \
            and left is not None and left.type == "identifier" and left.text == var:
        return cond.has_tok("!==") or cond.has_tok("!=")
    sides = [_presence_test(left, var), _presence_test(right, var)]
    if cond.has_tok("&&") and True in sides:
        return True
    if cond.has_tok("||") and False in sides:
        return False
    return None


def _in_ctx_read(n: Node, ctx_reads: list[Node]) -> bool:
    """Is `n` part of a call that reads data through ctx (an argument of `ctx.db.get`, the
    index range of `ctx.db.query(...).withIndex(...)`)?"""
    stmt, cur = js.statement_of(n), n
    while cur is not None and cur is not stmt:
        if cur.type == "call_expression" and any(cur.start <= c.start < cur.end for c in ctx_reads):
            return True
        cur = cur.parent
    return False


def _ends_in_throw(branch: Node | None) -> bool:
    """Does this branch (one statement or a block) end in `throw`?"""
    if branch is not None and branch.type == "statement_block":
        branch = branch.children[-1] if branch.children else None
    return branch is not None and branch.type == "throw_statement"


def _throws(r: Reached) -> bool:
    """Does `r` throw when it runs: a `throw` in its own body (not in a function written in it
    and handed on, such as a `viewerX` the handler may call)?"""
    return any(js.enclosing_function(t) is r.func.node for t in r.facts.module.nodes_in(r.func.node, "throw_statement"))


def _checks_builder_value(reached: list[Reached], keys: frozenset[str]) -> tuple[FileFacts, Node, str] | None:
    """Where the handler (or a helper handed ctx) acts on a ctx member a nullable builder added:
    `if (ctx.viewer === null) throw`, `ctx.viewerX()`, `ctx.viewer._id`, `ctx.identity?.subject`
    compared before an exit. (facts, the `ctx.viewer` node, the member)"""
    for r in reached:
        for use, path in r.ctx_uses():
            if not path or path[0] not in keys:
                continue
            n = use.node  # the maximal chain `ctx.viewer._id`: down to `ctx.viewer`
            while n.type == "member_expression":
                obj = js.unwrap(n.child("object"))
                if obj is None or obj.type != "member_expression":
                    break
                n = obj
            if _value_acted_on(_value_of(n), _used):
                return r.facts, n, path[0]
    return None


def _wrapper_may_read(builder, name: str) -> bool:
    """May a custom builder's own code read argument `name`? A convex-helpers customization
    sees only the arguments it declares itself (its `args`), so one that never names it
    (`customCtx(...)`, `NoOp`, an object without it) cannot; a builder we cannot read may."""
    if builder.opaque:
        return True
    if builder.factory is not None and any(n.text == name for n in builder.factory.handler.walk()):
        return True  # the factory's handler is given all the arguments
    for layer in builder.layers:
        c = js.unwrap(layer.customization)
        if c is None:
            return True
        if (c.type == "identifier" and c.text == "NoOp") or \
                (c.type == "call_expression" and js.dotted_name(js.callee(c)) == "customCtx"):
            continue
        if c.type != "object" or any(n.text == name for n in c.walk() if n.text is not None):
            return True
    return False


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(w[:1].upper() + w[1:] for w in rest) if rest and head else name


_PURE_GLOBAL = re.compile(
    r"^(Date(\.now)?|Math\.\w+|JSON\.(parse|stringify)|Number(\.\w+)?|String|Boolean|parseInt|parseFloat|isNaN"
    r"|isFinite|Object\.(keys|values|entries|assign|fromEntries|freeze)|Array\.(isArray|from|of)"
    r"|encodeURIComponent|decodeURIComponent|structuredClone)$")


def _read_as_key(call: Node) -> bool:
    """Is the database call the start of a read whose row serves only as a lookup key: held
    in a const or let that is only tested for being there or read for its `_id` (`const
    member = await ctx.db.query("members").withIndex(...).first(); memberId = member?._id`)?
    Nothing of the row but its id leaves the function."""
    n = call
    while (p := n.parent) is not None and p.type in (
            "member_expression", "call_expression", "await_expression", "parenthesized_expression",
            "non_null_expression", "as_expression") and (p.type != "call_expression" or n.field == "function"):
        n = p
    decl = n.parent
    if decl is None or decl.type != "variable_declarator" or n.field != "value":
        return False
    names = scope.bound_names(decl)
    fn = js.enclosing_function(decl)
    if len(names) != 1 or fn is None or decl.child("name") is None or decl.child("name").type != "identifier":
        return False
    reads = scope.reads_of(fn, names[0])
    for read in reads:
        o = js.outer(read)
        p = o.parent
        if p is not None and p.type == "member_expression" and o.field == "object" \
                and (p.child("property") is not None and p.child("property").text == "_id"):
            continue
        if _null_test(read):
            continue
        return False
    return bool(reads)


def _discarded_read(call: Node) -> bool:
    """Is the database call the start of a read whose result is thrown away, a statement of
    its own (`await ctx.db.query("users").take(1);`)?"""
    n = call
    while True:
        p = n.parent
        if p is None:
            return False
        if p.type in ("member_expression", "call_expression", "await_expression", "parenthesized_expression",
                      "non_null_expression", "as_expression") and (p.type != "call_expression" or n.field == "function"):
            n = p
            continue
        return p.type == "expression_statement"


def _reaches_nothing(reached: list[Reached], linker) -> bool:
    """A handler that calls nothing outside itself: errors it throws (`throw new ConvexError(...)`,
    a test stub), pure built-ins (`Date.now()`, `Math.round(n)`), methods of its own values
    (`n.toString()`) and a `fetch` of a fixed public URL. No data, no secret, no package:
    there is nothing to protect."""
    for r in reached:
        for site in r.func.all_calls():
            if site.is_new and site.path and site.path[-1].endswith("Error"):
                continue
            g = site.global_name
            if g is not None:
                if _PURE_GLOBAL.match(g) or site.path[:2] == ("process", "env") and len(site.path) > 3:
                    continue  # `process.env.KEY?.startsWith("pk_")`: a method of a string it holds
                if g == "fetch" and not site.is_new and _fixed_fetch(linker, r.facts, site.node):
                    continue
                return False
            if site.ref is None or (site.ref.kind in ("param", "local") and site.path[:1] != ("ctx",)):
                continue  # a method of a value it holds or computed; ctx's own members count as resources already
            return False
    return True


# a key or token written into a URL's query: the URL is then a credential of the app's
_URL_CREDENTIAL = re.compile(r"[?&][^=&#]*(key|token|secret|auth|sig|password)", re.I)


def _fixed_fetch(linker, facts: FileFacts, call: Node) -> bool:
    """`fetch("https://restcountries.com/v3.1/all")`: a URL fixed in the code (no credential in
    its query) and options made only of literals. The caller could fetch it just as well;
    a key from `process.env`, a URL or body from the arguments (a proxy) is not this."""
    args = js.call_args(call)
    url = linker.const_string(facts, args[0]) if args else None
    if url is None or _URL_CREDENTIAL.search(url) or len(args) > 2:
        return False
    return len(args) == 1 or _literals_only(args[1])


def _literals_only(node: Node | None) -> bool:
    """`{ method: "GET", headers: { Accept: "application/json" } }`: literals all the way down."""
    node = js.unwrap(node)
    return node is not None and node.type == "object" and all(
        p.key is not None and not p.spread and p.value is not None
        and (js.literal_value(p.value) is not ... or _literals_only(p.value)) for p in js.object_props(node))


def _argument_first(r: Reached, site: CallSite) -> str | None:
    """`args.userId || (await getAuthUserId(ctx))`: the identity counts only when the caller
    leaves the argument out, so the caller decides whose data it is. The argument's text.
    Also an identity check in the `else` of `if (args.userId)` (or the false side of
    `args.userId ? ... : ...`): given a `userId`, the handler skips the check."""
    branch = _identity_argument_branch(r, site)
    if branch is not None:
        return branch
    o = js.outer(site.node)
    if o.parent is not None and o.parent.type == "await_expression":
        o = js.outer(o.parent)
    p = o.parent
    if p is None or p.type != "binary_expression" or o.field != "right" or not (p.has_tok("||") or p.has_tok("??")):
        return None
    left = js.unwrap(p.child("left"))
    chain = js.member_chain(left) if left is not None else None
    root = chain[0] if chain is not None else left
    ref = r.facts.ref_of(root) if root is not None else None
    if ref is None or ref.kind != "param" or ref.func is not r.func or ref.index != 1:
        return None
    return r.facts.text(left)


def _argument_other_side(r: Reached, site: CallSite) -> tuple[str, str] | None:
    """`!args.forOther ? await getAuthUserId(ctx) : args.otherUserId`: the identity is one
    side of a `?:` whose test an argument decides and whose other side is an argument (a
    default for it aside, `args.otherUserId ?? null`): the caller picks the other side and
    names anyone. The text of that argument, and of the test."""
    o = js.outer(site.node)
    if o.parent is not None and o.parent.type == "await_expression":
        o = js.outer(o.parent)
    p = o.parent
    if p is None or p.type != "ternary_expression" or o.field not in ("consequence", "alternative"):
        return None
    other = js.unwrap(p.child("alternative" if o.field == "consequence" else "consequence"))
    while other is not None and other.type == "binary_expression" and (other.has_tok("??") or other.has_tok("||")) \
            and js.unwrap(other.child("right")) is not None and js.unwrap(other.child("right")).type in ("null", "undefined"):
        other = js.unwrap(other.child("left"))
    cond = p.child("condition")
    if other is None or cond is None or handler_argument(r, other) is None or _argument_in(r, cond) is None:
        return None
    return r.facts.text(other), r.facts.one_line(js.unwrap(cond) or cond, 60)


def _refilled_from_argument(r: Reached, site: CallSite) -> str | None:
    """`let subject = me?.subject; if (!subject && args.email) { const row = await
    byEmail(args.email); subject = row?.subject }`: a variable first set from the identity
    fetched at `site` (or the fetch itself, `let userId = await getAuthUserId(ctx)`) and set
    again from an argument, directly or through a local `const` read by it. The later check
    of the variable then passes for a signed-out caller who names anyone (pediascrybe's
    billing query). The argument's text."""
    facts, func = r.facts, r.func
    value = _value_of(site.node)
    decl = value.parent
    if decl is None or decl.type != "variable_declarator" or value.field != "value":
        return None
    names = scope.bound_names(decl)
    held = [decl] if decl.parent is not None and decl.parent.has_tok("let") else []
    if len(names) == 1:  # `let subject = me?.subject`: a claim that names the caller
        for read in scope.reads_of(func.node, names[0]):
            n = js.outer(read)
            prop = n.parent.child("property") if n.parent is not None and n.parent.type == "member_expression" else None
            if prop is None or prop.text not in _CALLER_CLAIMS:
                continue
            n = js.outer(n.parent)
            d = n.parent
            if d is not None and d.type == "variable_declarator" and n.field == "value" \
                    and d.parent is not None and d.parent.has_tok("let") and d.child("name").type == "identifier":
                held.append(d)
    if not held:
        return None
    def argument_in(node: Node, depth: int = 0) -> str | None:
        for n, ref in facts.parameter_reads(func, node):
            if ref.index == 1 and ref.func is func:
                p = js.outer(n).parent
                return facts.text(p) if p is not None and p.type == "member_expression" else facts.text(n)
        if depth < 2:
            for n in facts.module.nodes_in(node, "identifier"):
                init = local_const(facts, n)
                if init is not None and not (init.start <= n.start < init.end):
                    found = argument_in(init, depth + 1)
                    if found is not None:
                        return found
        return None

    held_names = {d.child("name").text for d in held}
    for a in facts.module.nodes_in(func.node, "assignment_expression"):
        left = js.unwrap(a.child("left"))
        right = a.child("right")
        if left is not None and left.type == "identifier" and left.text in held_names and right is not None \
                and js.enclosing_function(a) is func.node and _when_missing(a, left.text):
            found = argument_in(right)
            if found is not None:
                return found
    return None


# what an identity says about who is calling (a display name or picture is no key to anyone's data)
_CALLER_CLAIMS = frozenset(["subject", "tokenIdentifier", "email", "userId", "id", "_id"])


def _when_missing(node: Node, name: str) -> bool:
    """Does `node` run only when `name` is empty: inside the consequence of an `if` whose test
    reads `!name` (`if (!subject && args.email)`) or compares it with null or undefined?"""
    n = node
    while n.parent is not None and not js.is_function(n.parent):
        p = n.parent
        if p.type == "if_statement" and n.field == "consequence":
            test = p.child("condition")
            for u in (test.walk() if test is not None else ()):
                if u.type == "unary_expression" and u.has_tok("!") and (a := js.unwrap(u.child("argument"))) is not None \
                        and a.type == "identifier" and a.text == name:
                    return True
                if u.type == "binary_expression" and (u.has_tok("===") or u.has_tok("==")) and any(
                        (c := js.unwrap(u.child(side))) is not None and c.type == "identifier" and c.text == name
                        for side in ("left", "right")) and any(
                        (c := js.unwrap(u.child(side))) is not None and (c.type in ("null", "undefined") or c.text == "undefined")
                        for side in ("left", "right")):
                    return True
        n = p
    return False


def _overridden_claims(r: Reached, site: CallSite, is_guard: Callable[[Node], bool]) -> list[Evidence]:
    """`args.clerkEmail || identity.email`, `args.userId ?? identity.subject`, `args.userId ??
    userId` (after `const userId = await getAuthUserId(ctx)`): in the handler, an argument
    that takes the place of what the identity fetched at `site` says, when the value then
    picks the row (`.eq("email", email)`, `ctx.db.get(...)`) that is written or returned.
    The caller signs in as itself and acts on the record of whoever it names."""
    value = _value_of(site.node)
    decl = value.parent
    if decl is None or decl.type != "variable_declarator" or value.field != "value":
        return []
    names = scope.bound_names(decl)
    name_node = decl.child("name")
    if name_node is None or name_node.type != "identifier" or len(names) != 1:
        return []
    out: list[Evidence] = []
    seen: set[int] = set()
    for read in scope.reads_of(r.func.node, names[0]):
        claim = read
        p = js.outer(read).parent
        if p is not None and p.type == "member_expression" and js.outer(read).field == "object":
            claim = p  # `identity.email`
        # climb to the `||` / `??` whose right side holds the claim and whose left is an argument
        n, either = js.outer(claim), None
        while n.parent is not None and n.parent.type not in _STOP_CLIMB and _passes_value(n):
            q = n.parent
            if q.type == "binary_expression" and (q.has_tok("||") or q.has_tok("??")) and n.field == "right":
                arg = handler_argument(r, js.unwrap(q.child("left")))
                if arg is not None:
                    either = q
                    break
            n = q
        if either is None or id(either) in seen:
            continue
        seen.add(id(either))
        top = js.outer(either)  # the whole `args.x || identity.a || identity.b`
        while top.parent is not None and top.parent.type == "binary_expression" \
                and (top.parent.has_tok("||") or top.parent.has_tok("??")):
            top = js.outer(top.parent)
        if _rejected_unless_claim(r, _value_of(top), r.facts.text(claim), is_guard):
            continue
        acted = _picks_acted_on_row(r, _value_of(top), names[0])
        if acted is not None:
            out.append(Evidence(r.facts, either, r.facts.text(claim), acted,
                                argument=r.facts.text(js.unwrap(either.child("left")))))
    return out


def _passes_value(n: Node) -> bool:
    """Is what `n` holds still (part of) the value of its parent? Not in a test: the condition
    of `senderId === call.callerId ? call.callerDeviceId : ...` picks a value, it is not one
    (rinnalla's addIceCandidate), and neither is a comparison or a negation."""
    p = n.parent
    if p is None:
        return False
    if p.type == "ternary_expression":
        return n.field != "condition"
    if p.type == "binary_expression":
        return p.has_tok("||") or p.has_tok("??") or p.has_tok("&&") or p.has_tok("+")
    return p.type != "unary_expression"


def _rejected_unless_claim(r: Reached, value: Node, claim: str, is_guard: Callable[[Node], bool]) -> bool:
    """`const id = args.id || identity.subject; if (id !== identity.subject) throw ...`: the
    value the argument overrides is compared with the same claim, and the handler throws or
    returns when they differ, so the caller can only name itself. Also when the branch taken
    for someone else checks the caller again (`const self = target === me._id; if (!self) {
    ...hasRole("owner")... throw }`, `if (target !== me._id && me.role !== "admin") throw`):
    acting for another user takes a role (churchfeed's removeMemberFromFeed)."""
    decl = value.parent
    if decl is None or decl.type != "variable_declarator" or value.field != "value":
        return False
    names = scope.bound_names(decl)
    if len(names) != 1:
        return False
    for read in scope.reads_of(r.func.node, names[0]):
        o = js.outer(read)
        p = o.parent
        if p is None or p.type != "binary_expression" or not any(p.has_tok(t) for t in ("===", "!==", "==", "!=")):
            continue
        other = p.child("right") if o.field == "left" else p.child("left")
        if other is None or r.facts.text(js.unwrap(other)) != claim:
            continue
        differs = p.has_tok("!==") or p.has_tok("!=")
        if any(_stops_or_checks(branch, is_guard) for branch in _branches_for_other(r, p, differs, is_guard, 0)):
            return True
    return False


def _branches_for_other(r: Reached, test: Node, other_if_true: bool, is_guard: Callable[[Node], bool],
                        depth: int) -> list[Node]:
    """The branches of the `if`s that run when `test` (a comparison of the overridden value
    with the caller's own, true when the two differ if `other_if_true`) says the value names
    someone else: read directly (`if (id !== me._id)`, `if (id === me._id) ... else`), negated,
    or through a const holding it (`const self = id === me._id; if (!self)`). Joined with
    another test, the branch must still run for every other user (`if (a || id !== me._id)`)
    or the other test must be about the caller's role (`id !== me._id && me.role !== "admin"`)."""
    o = js.outer(test)
    while True:
        p = o.parent
        if p is not None and p.type == "unary_expression" and p.has_tok("!"):
            other_if_true = not other_if_true
        elif p is not None and p.type == "binary_expression" and (p.has_tok("||") or p.has_tok("&&")):
            narrows = p.has_tok("&&") == other_if_true  # the branch runs for some other users only
            beside = p.child("right") if o.field == "left" else p.child("left")
            if narrows and not _about_role(r, beside, is_guard):
                return []
        else:
            break
        o = js.outer(p)
    if p is not None and p.type == "if_statement" and o.field == "condition":
        branch = p.child("consequence" if other_if_true else "alternative")
        return [branch] if branch is not None else []
    if p is not None and p.type == "variable_declarator" and o.field == "value" and depth == 0 \
            and p.parent is not None and p.parent.has_tok("const"):
        name = p.child("name")
        if name is not None and name.type == "identifier":
            return [b for read in scope.reads_of(r.func.node, name.text or "")
                    for b in _branches_for_other(r, read, other_if_true, is_guard, depth + 1)]
    return []


# names of a test about what the caller may do (`me.role`, `isOwner`, `canManageMembers`)
_ROLE_TEST = re.compile(r"admin|owner|moderator|manager|staff|role|permission", re.I)


def _about_role(r: Reached, n: Node | None, is_guard: Callable[[Node], bool]) -> bool:
    """Does a test read a role or a permission (`me.role !== "admin"`, `!isOwner`, `!(await
    canManage(ctx))`), and nothing the caller passes (`!args.isAdmin` is the caller's word)?"""
    if n is None or any(w.type in ("identifier", "member_expression") and handler_argument(r, w) is not None
                        for w in n.walk()):
        return False
    return any(w.type == "call_expression" and is_guard(w) or
               w.type in ("identifier", "property_identifier") and _ROLE_TEST.search(w.text or "") is not None
               for w in n.walk())


def _tests_caller_role(r: Reached, is_guard: Callable[[Node], bool]) -> bool:
    """Does the handler test what the caller may do: call a guard, or test a role or permission
    that no argument gives (`if (args.canViewAll && me.role !== "admin") throw`, `if
    (!isAdmin)` of a local)?"""
    for w in r.func.node.walk():
        if w.type == "call_expression" and is_guard(w):
            return True
        if w.type in ("if_statement", "ternary_expression", "while_statement") \
                and any(_about_role(r, part, is_guard) for part in _joined_terms(w.child("condition"))):
            return True
    return False


def _joined_terms(cond: Node | None) -> list[Node]:
    """The parts of a condition joined by `&&` / `||` (`a && (b || !c)` -> a, b, !c)."""
    for op in ("&&", "||"):
        parts = _terms(cond, op)
        if len(parts) > 1:
            return [t for part in parts for t in _joined_terms(part)]
    return _terms(cond, "&&")


def _claimed_permissions(r: Reached, flags: frozenset[str], is_guard: Callable[[Node], bool]) -> list[Evidence]:
    """`if (args.canViewAll) { ...every row of the school... }` in a handler that fetches the
    caller's identity but never tests its role: the flag `flags` names, tested as such (alone,
    negated, or joined by `&&` / `||`), in an `if` that refuses (throws or returns) or whose
    branch uses the database. The caller is signed in and grants itself the rights it claims."""
    if _tests_caller_role(r, is_guard):
        return []
    out: list[Evidence] = []
    for stmt in r.func.node.walk():
        if stmt.type != "if_statement" or js.enclosing_function(stmt) is not r.func.node:
            continue
        flag = next((t for t in _joined_terms(stmt.child("condition"))
                     if handler_argument(r, _unnegated(t)) in flags), None)
        if flag is None:
            continue
        branches = [b for b in (stmt.child("consequence"), stmt.child("alternative")) if b is not None]
        if js.always_exits(stmt.child("consequence")) or any(
                _is_ctx(r, w) for b in branches for w in b.walk() if w.type == "identifier"):
            what = _unnegated(flag)
            out.append(Evidence(r.facts, stmt, r.facts.text(what), "handler", argument=handler_argument(r, what)))
    return out


def _negated(n: Node) -> bool:
    """Is `n` (unwrapped) negated an odd number of times (`!x`, not `!!x`)?"""
    n = js.unwrap(n)
    odd = False
    while n is not None and n.type == "unary_expression" and n.has_tok("!") and n.children:
        odd, n = not odd, js.unwrap(n.children[-1])
    return odd


def _unnegated(n: Node) -> Node:
    """`x` of `!x` / `!!x` (unwrapped)."""
    n = js.unwrap(n)
    while n is not None and n.type == "unary_expression" and n.has_tok("!") and n.children:
        n = js.unwrap(n.children[-1])
    return n


_DOC_WRITES = ("insert", "patch", "replace")


def _writes_argument(r: Reached, arg: str) -> bool:
    """Does the handler write argument `arg` into a document (`ctx.db.patch(id, { canEdit })`,
    `{ canEdit: args.canEdit }`)?"""
    for call in r.func.node.walk():
        if call.type != "call_expression":
            continue
        chain = js.member_chain(js.callee(call))
        got = js.call_args(call)
        if chain is None or chain[1][-2:] not in (["db", w] for w in _DOC_WRITES) or len(got) < 2:
            continue
        if any(w.type in ("identifier", "member_expression", "shorthand_property_identifier")
               and handler_argument(r, w) == arg for w in got[-1].walk()):
            return True
    return False


def _stops_or_checks(branch: Node, is_guard: Callable[[Node], bool]) -> bool:
    """Does a branch throw or return (in its own code, not in a callback), or call a guard?"""
    own = js.enclosing_function(branch)
    return any(w.type in ("throw_statement", "return_statement") and js.enclosing_function(w) is own
               or w.type == "call_expression" and is_guard(w) for w in branch.walk())




def _target_roles(r: Reached, site: CallSite) -> list[Evidence]:
    """`const me = await getAuthUserId(ctx); if (me === null) throw ...`, then `const target =
    await ctx.db.get(args.userId); if (target.role === "member") throw ...`: the identity
    fetched at `site` is only tested for being there, and the role that decides is the one
    of the user the arguments name. Any signed-in caller passes by naming an admin."""
    value = _value_of(site.node)
    decl = value.parent
    if decl is None or decl.type != "variable_declarator" or value.field != "value":
        return []
    names = scope.bound_names(decl)
    if len(names) != 1 or not all(_null_test(read) for read in scope.reads_of(r.func.node, names[0])):
        return []  # the caller's id picks or is compared with something: not only a sign-in check
    out: list[Evidence] = []
    for call in r.func.node.walk():
        if call.type != "call_expression":
            continue
        chain = js.member_chain(js.callee(call))
        got = js.call_args(call)
        if chain is None or chain[1][-1:] != ["get"] or chain[1][:-1] not in (["db"], []) \
                or chain[0].type != "identifier" or not _is_ctx(r, chain[0]) or not got:
            continue
        arg = handler_argument(r, js.unwrap(got[-1]))
        if arg is None or not IDENTITY_ARG.match(arg) or not arg.endswith(("Id", "ID", "_id")):
            continue
        held = _value_of(call)
        row = held.parent
        if row is None or row.type != "variable_declarator" or held.field != "value":
            continue
        for row_name in scope.bound_names(row):
            for read in scope.reads_of(r.func.node, row_name):
                o = js.outer(read)
                member = o.parent
                prop = member.child("property") if member is not None and member.type == "member_expression" \
                    and o.field == "object" else None
                if prop is None or not ROLE_FIELD.match(prop.text):
                    continue
                test = _deciding_test(r, member)
                if test is not None:
                    out.append(Evidence(r.facts, test, r.facts.text(member), "handler", argument=arg))
    return out


def _thrown_when_missing(throw: Node) -> bool:
    """Is a `throw` the consequence of an `if` that only tests for a missing value (`if
    (!user)`, `if (!this.viewer)`, `if (identity === null || !row)`)? A test of anything else
    (`user.role !== "admin"`, `!user.isAdmin`) is a check beyond signing in."""
    n = throw
    while n.parent is not None and n.parent.type == "statement_block":
        n = n.parent
    stmt = n.parent
    if stmt is None or stmt.type != "if_statement" or n.field != "consequence":
        return False

    def missing(c: Node | None) -> bool:
        c = js.unwrap(c)
        if c is None:
            return False
        if c.type == "binary_expression" and c.has_tok("||"):
            return missing(c.child("left")) and missing(c.child("right"))
        if c.type == "unary_expression" and c.has_tok("!"):
            inner = js.member_chain(c.children[0]) if c.children else None
            return inner is not None and (inner[0].type == "identifier" and not inner[1]
                                          or inner[0].type == "this" and len(inner[1]) == 1)
        if c.type == "binary_expression" and any(c.has_tok(t) for t in ("===", "==")):
            return _is_nullish(js.unwrap(c.child("right"))) or _is_nullish(js.unwrap(c.child("left")))
        return False
    return missing(stmt.child("condition"))


def _null_test(read: Node) -> bool:
    """Is `read` only tested for being there: `!me`, `me === null`, `if (me)`?"""
    o = js.outer(read)
    p = o.parent
    if p is None:
        return False
    if p.type == "unary_expression" and p.has_tok("!"):
        return True
    if p.type in ("if_statement", "ternary_expression") and o.field == "condition":
        return True
    if p.type == "binary_expression" and any(p.has_tok(t) for t in ("===", "!==", "==", "!=")):
        return _is_nullish(js.unwrap(p.child("right") if o.field == "left" else p.child("left")))
    return False


def _deciding_test(r: Reached, read: Node) -> Node | None:
    """The comparison holding `read` (or `read` itself) when it sits in the condition of an
    `if` that throws or returns."""
    o = js.outer(read)
    p = o.parent
    test = p if p is not None and p.type == "binary_expression" and any(
        p.has_tok(t) for t in ("===", "!==", "==", "!=")) else o
    stmt = _if_testing(o)
    if stmt is None:
        return None
    cons = stmt.child("consequence")
    if cons is None or not (cons.type in ("throw_statement", "return_statement")
                            or r.facts.module.nodes_in(cons, "throw_statement", "return_statement")):
        return None
    return test


_DB_ROW_CHANGES = ("patch", "replace", "delete")


def _picks_acted_on_row(r: Reached, value: Node, caller: str) -> str | None:
    """Is `value` (`const email = ...`) read to pick a row (`.eq("email", email)`,
    `ctx.db.get(...)`) that the handler then changes (`ctx.db.patch(row._id, ...)`, or hands
    with ctx to a helper) or returns? "changes", "returns" or None. A change or return that
    only the row's owner reaches (`caller` names the identity: `if (row.userId !== me) return
    null;` before it) acts on the caller's own record."""
    decl = value.parent
    if decl is None or decl.type != "variable_declarator" or value.field != "value":
        return None
    for name in scope.bound_names(decl):
        for read in scope.reads_of(r.func.node, name):
            chain_top = _db_chain_of(r, read)
            if chain_top is None:
                continue
            held = _value_of(chain_top)
            p = held.parent
            if p is not None and (p.type == "return_statement" or p.type == "arrow_function" and held.field == "body"):
                return "returns"  # `return await ctx.db.query("users")...first()`
            if p is None or p.type != "variable_declarator" or held.field != "value":
                continue
            for row in scope.bound_names(p):
                guards = _owner_guards(r, row, caller)
                for use in scope.reads_of(r.func.node, row):
                    if any(_precedes_on_every_path(g, use) for g in guards):
                        continue
                    o = js.outer(use)
                    if o.parent is not None and o.parent.type == "return_statement":
                        return "returns"  # `return row`: someone else's record handed out
                    if _in_row_change(r, use):
                        return "changes"
    return None


def _owner_guards(r: Reached, row: str, caller: str) -> list[Node]:
    """The `if`s that stop the handler unless `row` belongs to the caller: a field of the row
    compared with a value of the identity named `caller` (`me`, `identity.tokenIdentifier`),
    alone or joined by `||` (`if (!row || row.userId !== me)`), with a branch that throws or
    returns (`return null`, `return`, `return []`)."""
    out = []
    for read in scope.reads_of(r.func.node, row):
        field = js.outer(read).parent
        if field is None or field.type != "member_expression" or js.outer(read).field != "object":
            continue
        o = js.outer(field)
        cmp = o.parent
        if cmp is None or cmp.type != "binary_expression" or not (cmp.has_tok("!==") or cmp.has_tok("!=")):
            continue
        chain = js.member_chain(js.unwrap(cmp.child("right") if o.field == "left" else cmp.child("left")))
        if chain is None or chain[0].type != "identifier" or chain[0].text != caller:
            continue
        o = js.outer(cmp)
        while o.parent is not None and o.parent.type == "binary_expression" and o.parent.has_tok("||"):
            o = js.outer(o.parent)
        stmt = o.parent
        if stmt is not None and stmt.type == "if_statement" and o.field == "condition" \
                and js.always_exits(stmt.child("consequence")):
            out.append(stmt)
    return out


def _precedes_on_every_path(stmt: Node, use: Node) -> bool:
    """Does statement `stmt` run before `use` whichever way the function goes: it comes earlier
    in a block that holds `use`, in the same function?"""
    block = stmt.parent
    return block is not None and block.start <= use.start and use.end <= block.end and stmt.end <= use.start \
        and js.enclosing_function(stmt) is js.enclosing_function(use)


def _db_chain_of(r: Reached, read: Node) -> Node | None:
    """The outermost call of the `ctx.db...` chain whose arguments (or callbacks) hold `read`."""
    n, found = read, None
    while n.parent is not None and n.parent.type not in ("statement_block", "lexical_declaration",
                                                          "variable_declaration", "expression_statement"):
        n = n.parent
        if n.type == "call_expression":
            chain = js.member_chain(js.callee(n))
            root = chain[0] if chain is not None else None
            while root is not None and root.type == "call_expression":  # `ctx.db.query(...).withIndex(...)`
                inner = js.member_chain(js.callee(root))
                root = inner[0] if inner is not None else None
            if root is not None and root.type == "identifier" and _is_ctx(r, root):
                found = n
    return found


def _in_row_change(r: Reached, use: Node) -> bool:
    """Is `use` (a row or `row._id`) handed to `ctx.db.patch/replace/delete`, or to a call
    that is also handed ctx (a helper that writes: `updateExistingUser(ctx, row._id, ...)`)?"""
    n = js.outer(use)
    while n.parent is not None and n.parent.type == "member_expression" and n.field == "object":
        n = js.outer(n.parent)  # `row._id`
    args = n.parent
    call = args.parent if args is not None and args.type == "arguments" else None
    if call is None or call.type != "call_expression":
        return False
    chain = js.member_chain(js.callee(call))
    if chain is not None and chain[1][-1:] and chain[1][-1] in _DB_ROW_CHANGES and chain[1][:1] == ["db"] \
            and chain[0].type == "identifier" and _is_ctx(r, chain[0]):
        return True
    return _handed_ctx(r, call)


def _identity_argument_branch(r: Reached, site: CallSite) -> str | None:
    """The text of an identity argument (`args.userId`, a destructured `userId`) whose test
    (`if (args.userId)`, `args.userId !== undefined ? ... :`) sends the caller who passes it
    around `site`: `site` is in the else side."""
    n = site.node
    while n.parent is not None and n is not r.func.node:
        p = n.parent
        cond = None
        if p.type == "if_statement" and n.field == "alternative":
            cond = p.child("condition")
        elif p.type == "ternary_expression" and n.field == "alternative":
            cond = p.child("condition")
        if cond is not None:
            cond = js.unwrap(cond)
            if cond is not None and cond.type == "binary_expression" and any(cond.has_tok(t) for t in ("!==", "!=")):
                other = js.unwrap(cond.child("right"))
                if other is not None and (other.type in ("undefined", "null")
                                          or other.type == "identifier" and other.text == "undefined"):
                    cond = js.unwrap(cond.child("left"))
            name = handler_argument(r, cond)
            if name is not None and IDENTITY_ARG.match(name):
                return r.facts.text(cond)
        n = p
    return None


def _requests_before(handler: Reached, reached: list[Reached], first: int) -> list[Evidence]:
    """The `fetch` calls an action makes before `first` (where its first check sits in the
    handler) whose request an argument chooses: `fetch(args.url)` in the handler, or in a
    helper it calls with an argument (`extractContent(args.url)` with `fetch(url)` inside).
    Anyone can make the deployment send them (server-side request forgery, egress, cost).
    Evidence at the handler's call (the `fetch`, or the helper's call), argument = the
    argument. A request the code fixes (`fetch("https://api.example.com/rates")`) is not
    one: anyone may trigger it, but it asks for nothing the caller picks. Nor is one whose
    `headers` carry an argument (`Authorization: `Bearer ${accessToken}``): it goes with the
    caller's own credential, which the service it is sent to checks (chef's project deletion).
    Helpers deeper than one call are not followed."""
    out = []
    for r in reached:
        if r.depth > 1 or (r.via and r.via[0][1].node.start >= first):
            continue
        for site in r.func.all_calls():
            if site.global_name != "fetch" or js.enclosing_function(site.node) is not r.func.node \
                    or site.node.start >= first and not r.via:
                continue
            headers = _headers_of(site.node)
            if headers is not None and (_argument_in(handler, headers) if not r.via else _params_read(r, headers)):
                continue  # sent with the caller's own credential: the service it goes to checks it
            if not r.via:
                argument = _argument_in(handler, site.node)
                at, what = site.node, "`fetch`"
            else:
                passed = js.call_args(r.via[0][1].node)
                read = _params_read(r, site.node)
                argument = next((a for i in sorted(read) if i < len(passed)
                                 and (a := _argument_in(handler, passed[i])) is not None), None)
                at, what = r.via[0][1].node, f"`{r.func.name or 'a helper'}`, which calls `fetch`,"
            if argument is not None:
                out.append(Evidence(handler.facts, at, what, "outbound", argument=argument))
                break
    return out


def _headers_of(call: Node) -> Node | None:
    """The `headers` of a `fetch(url, { headers })` written as an object literal."""
    args = js.call_args(call)
    init = js.unwrap(args[1]) if len(args) > 1 else None
    if init is None or init.type != "object":
        return None
    return next((p.value for p in js.object_props(init) if p.key == "headers" and p.value is not None), None)


def _argument_in(r: Reached, node: Node) -> str | None:
    """A handler argument `node` reads (`args.url`, a destructured `url`, a const made of
    one), anywhere inside it: the first found."""
    from .evaluate import local_const

    for n in node.walk():
        if n.type not in ("identifier", "shorthand_property_identifier", "member_expression"):
            continue
        name = handler_argument(r, n)
        if name is None and n.type == "identifier" and (held := local_const(r.facts, n)) is not None:
            name = next((a for m in held.walk() if m.type in ("identifier", "member_expression")
                         and (a := handler_argument(r, m)) is not None), None)
        if name is not None:
            return name
    return None


def _params_read(r: Reached, node: Node) -> set[int]:
    """Which parameters of `r.func` (by index) the expression `node` reads, by name."""
    out = set()
    for n in node.walk():
        if n.type in ("identifier", "shorthand_property_identifier"):
            ref = r.facts.ref_of(n)
            if ref is not None and ref.kind == "param" and ref.func is r.func and ref.index >= 0:
                out.add(ref.index)
    return out


def handler_argument(r: Reached, n: Node | None) -> str | None:
    """The field name when `n` is `args.x` or a name destructured from the handler's arguments
    (also written as a shorthand property, `{ title }`)."""
    return parameter_field(r.facts, r.func, 1, n)


def parameter_field(facts: FileFacts, func: FunctionInfo, index: int, n: Node | None) -> str | None:
    """The field name when `n` is `p.x`, `p` being parameter `index` of `func`, or a name
    destructured from that parameter (also written as a shorthand property, `{ title }`)."""
    if n is None:
        return None
    chain = (n, []) if n.type == "shorthand_property_identifier" else js.member_chain(n)
    if chain is None:
        return None
    root, props = chain
    ref = facts.ref_of(root) if root.type in ("identifier", "shorthand_property_identifier") else None
    if ref is None or ref.kind != "param" or ref.func is not func or ref.index != index:
        return None
    path = [*ref.path, *props]
    return path[0] if len(path) == 1 else None


# string methods that only normalise a value (`email.toLowerCase().trim()`): still the same value
_NORMALISING = frozenset(["toLowerCase", "toUpperCase", "toLocaleLowerCase", "toLocaleUpperCase", "trim", "normalize"])
_MEMBERSHIP = frozenset(["includes", "has", "indexOf"])


def normalised(n: Node) -> Node:
    """The outermost expression that is `n` only normalised: `email.toLowerCase().trim()`,
    `String(email || "").toLowerCase()` (a default for a missing value, a string of it)."""
    n = js.outer(n)
    while (p := n.parent) is not None:
        if p.type == "member_expression" and n.field == "object" \
                and (prop := p.child("property")) is not None and prop.text in _NORMALISING \
                and (call := p.parent) is not None and call.type == "call_expression" and js.callee(call) is p:
            n = js.outer(call)
        elif p.type == "binary_expression" and n.field == "left" and (p.has_tok("||") or p.has_tok("??")) \
                and isinstance(js.literal_value(p.child("right")), str):
            n = js.outer(p)
        elif p.type == "arguments" and len(js.call_args(p.parent)) == 1 and (f := js.callee(p.parent)) is not None \
                and f.type == "identifier" and f.text == "String":
            n = js.outer(p.parent)
        else:
            break
    return n


def allow_list_test(value: Node, mentions_value: Callable[[Node], bool]) -> Node | None:
    """The test that `value` is one of a list or equals a value held elsewhere: the
    membership call (`ADMINS.includes(value)`, `allowed.has(value)`) or the comparison
    (`value === process.env.OWNER`, `value !== "root@example.com"`), where the other side does
    not itself hold the value (`mentions_value`) and is no emptiness test (null, undefined, "")."""
    p = value.parent
    if p is None:
        return None
    if p.type == "binary_expression" and any(p.has_tok(t) for t in _COMPARE):
        other = js.unwrap(p.child("right") if value.field == "left" else p.child("left"))
        if other is None or other.type in ("null", "undefined") or js.literal_value(other) == "" \
                or (other.type == "identifier" and other.text == "undefined") or mentions_value(other):
            return None
        return p
    if p.type == "arguments" and (call := p.parent) is not None and call.type == "call_expression":
        callee = js.callee(call)
        prop = callee.child("property") if callee is not None and callee.type == "member_expression" else None
        if prop is not None and prop.text in _MEMBERSHIP and not mentions_value(callee.child("object")):
            return call
    return None


def _answered(test: Node, func: FunctionInfo) -> bool:
    """Is `test` what `func` answers: in its expression body or in a `return`?"""
    body = func.body
    n: Node | None = test
    while n is not None and n is not body:
        if n.type == "return_statement":
            return True
        n = n.parent
    return n is body and body.type != "statement_block"


def _argument_row_id(r: Reached, queries, callgraph, n: Node | None) -> str | None:
    """The argument's name when `n` is the `_id` of a row the handler read by that argument
    (`const agent = await ctx.db.get("agents", args.agentId)`, then `agent._id`), itself or
    through a project helper that returns the row it reads by the id it is given
    (`_returned_row_param`): the same document as the argument itself. Only a `const`, so
    that nothing put another row there."""
    if n is None or n.type != "member_expression" or (prop := n.child("property")) is None \
            or prop.text != "_id" or (row := js.unwrap(n.child("object"))) is None or row.type != "identifier":
        return None
    decl = queries.declarator_of(r.facts, row)
    if decl is None or decl.parent is None or not decl.parent.has_tok("const") \
            or (name := decl.child("name")) is None or name.type != "identifier":
        return None
    value = js.unwrap(decl.child("value"))
    if value is not None and value.type == "await_expression":
        value = js.unwrap(value.children[-1])
    if value is None or value.type != "call_expression":
        return None
    read = queries.call_at(value)
    if read is not None:
        return handler_argument(r, js.unwrap(read.id_node)) if read.method == "get" and not read.system else None
    # a project helper that reads the row by the id it is given (`AgentRepository.get(ctx,
    # args.agentId)`, `getAgentOrThrow(ctx, args.agentId)`): the same document
    site = r.func.site_of(value)
    target = callgraph.callee(r.facts, site) if site is not None else None
    index = _returned_row_param(queries, *target) if target is not None else None
    args = js.call_args(value)
    return handler_argument(r, js.unwrap(args[index])) if index is not None and index < len(args) else None


def _returned_row_param(queries, facts: FileFacts, func: FunctionInfo) -> int | None:
    """Which parameter of a project helper names the document it returns: every `return`
    gives `ctx.db.get` of that parameter (`return await ctx.db.get(id)`), or a const read so
    (`const row = await ctx.db.get("agents", id); if (!row) throw ...; return row`); a `return
    null` gives no row. None when a return gives anything else, or the parameter is reassigned."""
    indexes: set[int] = set()
    for value in returned_values(func.node):
        value = _awaited(value)
        if _is_nullish(value):
            continue
        if value is not None and value.type == "identifier":
            decl = queries.declarator_of(facts, value)
            if decl is None or decl.parent is None or not decl.parent.has_tok("const"):
                return None
            value = _awaited(decl.child("value"))
        read = queries.call_at(value) if value is not None else None
        if read is None or read.method != "get" or read.system or read.func is not func:
            return None
        id_node = js.unwrap(read.id_node)
        ref = facts.ref_of(id_node) if id_node is not None and id_node.type == "identifier" else None
        if ref is None or ref.kind != "param" or ref.func is not func or ref.path:
            return None
        if any((left := js.unwrap(a.child("left"))) is not None and left.type == "identifier"
               and left.text == id_node.text for a in facts.module.nodes_in(func.node, "assignment_expression")):
            return None  # `id = other`: not the document it was given
        indexes.add(ref.index)
    return indexes.pop() if len(indexes) == 1 else None


def _given_ctx_whole(r: Reached, site: CallSite) -> bool:
    """Is the handler's ctx itself one of the call's arguments (`guard(ctx, ...)`)?"""
    return _handed_ctx(r, site.node)


def _handed_ctx(r: Reached, call: Node) -> bool:
    for a in js.call_args(call):
        a = js.unwrap(a)
        ref = r.facts.ref_of(a) if a is not None and a.type == "identifier" else None
        if ref is not None and ref.kind == "param" and ref.index == 0 and not ref.path:
            return True
    return False


def _given_request(site: CallSite) -> bool:
    """Is an HTTP request (or its headers) among the call's arguments?"""
    for a in js.call_args(site.node):
        for n in a.walk():
            if n.type in ("identifier", "property_identifier", "shorthand_property_identifier") \
                    and n.text in ("request", "req", "headers"):
                return True
    return False


def _argument_fields(r: Reached, site: CallSite) -> list[str]:
    """The handler's argument fields a call is given (`args.sessionId`, a destructured
    `sessionId`)."""
    out = []
    for a in js.call_args(site.node):
        for n in a.walk():
            if n.type not in ("identifier", "shorthand_property_identifier", "property_identifier"):
                continue
            if n.type == "property_identifier":
                obj = n.parent.child("object") if n.parent is not None and n.parent.type == "member_expression" else None
                ref = r.facts.ref_of(obj) if obj is not None and obj.type == "identifier" else None
                if ref is not None and ref.kind == "param" and ref.func is r.func and ref.index == 1:
                    out.append(n.text or "")
                continue
            ref = r.facts.ref_of(n)
            if ref is not None and ref.kind == "param" and ref.func is r.func and ref.index == 1 and ref.path:
                out.append(ref.path[-1])
    return out


def _handed_data_only(r: Reached, site: CallSite, run_is_data: Callable[[Node], bool]) -> bool:
    """Is a guard call in a handler given nothing but data: the handler's arguments, what the
    database returns, literals and what is computed from those alone (`hasEmailChannel(prefs)`
    for a row looked up by `args.userId`)? Nothing of that says who is calling. Anything else
    (a value from a helper handed ctx, `ctx.user` of a custom builder, a module value) may.
    `run_is_data` says which `ctx.run*` calls return data too: those of functions that
    cannot learn the caller, handed data."""
    given = js.call_args(site.node)
    return bool(given) and all(_data_only(r, a, 0, run_is_data) for a in given)


def _data_only(r: Reached, node: Node, depth: int, run_is_data: Callable[[Node], bool]) -> bool:
    skip_end = -1  # the end of a `ctx.run*` call already judged: its parts are not walked
    for n in node.walk():
        if n.start < skip_end:
            continue
        if n.type == "this":
            return False
        if n.type == "call_expression":
            chain = js.member_chain(js.callee(n))
            if chain is None:
                return False
            root, props = chain
            if root.type == "call_expression" or (props[:1] == ["db"] and _is_ctx(r, root)):
                continue  # a method on a result, or `ctx.db...`: its parts are walked too
            if run_is_data(n):
                # the function reference names what runs; what it is handed must be data
                if not all(_data_only(r, a, depth, run_is_data) for a in js.call_args(n)[1:]):
                    return False
                skip_end = n.end
                continue
            if not (root.type == "identifier" and props and _data_value(r, root, node, depth, run_is_data)):
                return False  # a function of ours or of a package: it may know the caller
        elif n.type in ("identifier", "shorthand_property_identifier") \
                and not _data_value(r, n, node, depth, run_is_data):
            return False
    return True


def _data_value(r: Reached, n: Node, within: Node, depth: int, run_is_data: Callable[[Node], bool]) -> bool:
    """Is this name, read inside `within`, data (see `_data_only`)?"""
    ref = r.facts.ref_of(n)
    if ref is None:
        return False  # a module value or a global
    if ref.kind == "param":
        if ref.func is r.func:
            return ref.index == 1 or (ref.index == 0 and _is_ctx(r, n))
        # a parameter of a callback written inside `within` (`(q) => q.eq("userId", args.userId)`)
        return ref.func is not None and within.start <= ref.func.node.start and ref.func.node.end <= within.end
    init = local_const(r.facts, n) if ref.kind == "local" and depth < 3 else None
    return init is not None and _data_only(r, init, depth + 1, run_is_data)


def _is_ctx(r: Reached, n: Node) -> bool:
    """Is `n` the handler's ctx used for its database (`ctx` in `ctx.db`, or a `db`
    destructured from it)?"""
    ref = r.facts.ref_of(n) if n.type == "identifier" else None
    if ref is None or ref.kind != "param" or ref.func is not r.func or ref.index != 0:
        return False
    if ref.path:
        return ref.path[:1] == ("db",)
    p = n.parent
    prop = p.child("property") if p is not None and p.type == "member_expression" and n.field == "object" else None
    return prop is not None and prop.text == "db"


def _on_arguments_only(r: Reached, site: CallSite) -> bool:
    """Does a guard call in a handler take nothing but the handler's arguments (literals, and
    what is computed from those alone)? Then the caller decides the outcome: `if
    (!isAdmin(args.adminEmail)) throw` lets anyone in who names an admin, and
    `checkUpstream(args.since + 1)` is no check of anyone. A guard given ctx, or anything the
    handler looked up, may check."""
    given = js.call_args(site.node)
    if not given:
        return False
    from_args = False
    for a in given:
        # literals, the arguments and what is computed from them alone (`args.since + 1`)
        for n in a.walk():
            if n.type in ("identifier", "shorthand_property_identifier"):
                ref = r.facts.ref_of(n)  # the handler's second parameter, or a name destructured from it
                if ref is None or ref.kind != "param" or ref.func is not r.func or ref.index != 1:
                    return False
                from_args = True
            elif n.type in ("call_expression", "new_expression", "await_expression", "this"):
                return False
    return from_args


# a word every filter on public records (`_public_records_filter`) is written with, in any case
_PUBLIC_HINT = re.compile(rb"(?i)public|publish|visible|listed|live|approved|draft|shared|shareable")
# `public` as the adjective (`getPublicProfile`, `listPublished`, `publicQuery`), not as part of
# the name of an identifier the record carries: `getInvoiceByPublicId` finds one invoice by its
# public number, `publicKey`, `publicUrl`, `by_public_slug` (whose data is not public for that)
_NOT_PUBLIC_DATA = r"(?!_?(?:id|Id|ID|key|Key|url|Url|URL|slug|Slug|token|Token|code|Code)s?(?![a-z]))"
_PUBLIC_NAME = re.compile(rf"(^|[/:_])(?<!by_)(public{_NOT_PUBLIC_DATA}|published)|(?<!By)(Public{_NOT_PUBLIC_DATA}|Published)")
_PUBLIC_FIELD = re.compile(r"^(is)?(public|published|publish|visible|listed|live|approved|shared|sharedlink|shareable"
                           r"|publiclink)$|^(status|visibility|state)$"
                           r"|^[a-z]+Visibility$", re.I)  # `directoryVisibility`
_PUBLIC_VALUE = frozenset(["publish", "published", "public", "visible", "live", "listed", "approved", "draft"])
_COMPARE = ("===", "==", "!==", "!=")


# Environment variables that hold a shared secret (`BACKEND_ACCESS_TOKEN`, `CRON_SECRET`).
SECRET_ENV = re.compile(r"SECRET|TOKEN|KEY|SIGNING|PASSWORD", re.I)
# a deployment-level switch that turns test-only functions on (convex-helpers' testingFunctions
# read `IS_TEST`, which only the local test backend sets)
TEST_SWITCH_ENV = re.compile(r"^(IS_|ENABLE_|ALLOW_)?(TEST|TESTING|E2E)(_(MODE|ENV|ONLY|FUNCTIONS))?$")
_EQUALITY = ("===", "!==", "==", "!=")


def _allows_everything(rule: Node | None) -> bool:
    """Is a row-level security rule a function that answers `true` whatever it is given
    (`async () => true`, `(ctx, doc) => { return true; }`)?"""
    rule = js.unwrap(rule)
    if rule is None or not js.is_function(rule):
        return False
    body = rule.child("body")
    if body is not None and body.type == "statement_block":
        statements = body.children
        if len(statements) != 1 or statements[0].type != "return_statement" or not statements[0].children:
            return False
        body = statements[0].children[0]
    body = js.unwrap(body)
    return body is not None and body.type == "true"


def limits_rate(linker, facts: FileFacts, site: CallSite) -> bool:
    """Is the call a rate limiter's: a method of `@convex-dev/rate-limiter`'s `RateLimiter`
    (`rateLimiter.limit(ctx, "create", { key: orgId })`), or convex-helpers' `rateLimit`,
    `checkRateLimit` or `resetRateLimit`, imported or made by `defineRateLimits(...)`? It is handed ctx to count
    requests in its component or table, under a key the caller gives: it throws for everyone
    alike once the budget is spent, and learns nothing about who is calling."""
    found = package_class_made(linker, facts, site.callee)
    if found is not None:
        return found[0] == "@convex-dev/rate-limiter"
    d = linker.value_of(facts, site.callee)
    if isinstance(d, Def) and d.path and d.node.type == "call_expression":
        d = linker.value_of(d.facts, js.callee(d.node))  # `const { rateLimit } = defineRateLimits(...)`
        return isinstance(d, ExternalDef) and d.module == "convex-helpers/server/rateLimit" \
            and d.name == "defineRateLimits"
    return isinstance(d, ExternalDef) and d.module == "convex-helpers/server/rateLimit" \
        and d.name in ("rateLimit", "checkRateLimit", "resetRateLimit")


def _can_know_caller(r: Reached, site: CallSite) -> bool:
    """Can a guard called in `r` learn who is asking? In Convex only `ctx` knows the caller,
    so a guard must be handed something that may come from it: in a function that holds the
    ctx, any of its parameters or locals (or a closure over them); in a helper that was handed
    no ctx, only a value from an enclosing function (a closure over the handler's ctx or what
    it looked up). A guard given nothing but literals or module values (a rate limiter's
    `throttle.canMakeRequest()`), or a helper's own parameters and locals
    (`checkLatestLifelogDuplicate(existingIds)`), checks data, not the caller; so does one
    whose only receiver is an object built from nothing (`this.limiter = new RateLimiter()`)."""
    holds_ctx = r.depth == 0 or r.ctx_index is not None or r.ctx_field is not None
    callee = site.callee
    parts = [*js.call_args(site.node)]
    if callee is not None and callee.type == "member_expression" and callee.child("object") is not None:
        parts.append(callee.child("object"))
    elif holds_ctx and callee is not None and callee.type == "identifier":
        parts.append(callee)  # a function written in the handler closes over its ctx
    for part in parts:
        for n in part.walk():
            if n.type == "this":
                if not _built_from_nothing(r.facts, n, None):
                    return True
                continue
            if n.type not in ("identifier", "shorthand_property_identifier"):
                continue
            ref = r.facts.ref_of(n)
            if ref is None or ref.kind not in ("param", "local") or ref.func is None:
                continue
            if holds_ctx:
                if not _built_from_nothing(r.facts, n, ref):
                    return True
                continue
            inner = ref.func
            while inner is not None and inner is not r.func:
                inner = inner.parent
            if inner is None:  # declared in a function around this helper: a closure
                return True
    return False


def _built_from_nothing(facts: FileFacts, n: Node, ref: Ref | None) -> bool:
    """Is `n` (a local, or the `this` of `this.<field>`) an object made from no value at all,
    `new RateLimiter()` or `{}`, so it holds nothing about who is calling? A field of `this`
    counts only when every place its class sets it does so (`this.limiter = new RateLimiter()`)."""
    if n.type == "this":
        o = js.outer(n)
        p = o.parent
        if p is None or p.type != "member_expression" or o.field != "object":
            return False
        name = p.child("property")
        # a declaration without a value (`private limiter: RateLimiter;`) sets nothing
        values = [value for _type, value in scope.field_declarations(facts.module, n, name.text) if value is not None] \
            if name is not None else []
    else:
        found = scope.declarator_of(ref.func.node, ref.name) if ref.kind == "local" else None
        values = [found[0].child("value")] if found is not None and found[1] is found[0].child("name") else []
    return bool(values) and all(_made_of_nothing(v) for v in values)


def _made_of_nothing(value: Node | None) -> bool:
    """`new RateLimiter()`, `{}`: a value built from no other value."""
    value = js.unwrap(value)
    if value is None:
        return False
    if value.type == "new_expression":
        return not js.call_args(value)
    return value.type == "object" and not value.children


def _stops_caller(r: Reached) -> bool:
    """Can the identity check in helper `r` stop the handler? Only by throwing (in the helper
    or a helper between), or through the helper's result, when the handler acts on it: a
    helper that returns null for an anonymous caller (`getUser(ctx)`) guards nothing if the
    handler never looks at what it returns."""
    chain = [(r.facts, r.func)] + [(f, site.func) for f, site in r.via[1:] if site.func is not None]
    if reached_through_lost_promise(r):
        return False  # `if (!canEdit(ctx, id)) throw`: what the async helper throws or answers comes too late
    if any(f.module.nodes_in(func.node, "throw_statement") for f, func in chain):
        return True
    if not r.via:
        return True
    facts, call = r.via[0][0], r.via[0][1].node
    return result_used(call) and futile_null_test(facts, call, "", False) is None


def reached_through_lost_promise(r: Reached) -> bool:
    """Is helper `r` reached through a call of an async function whose promise is dropped or
    only tested (`requireUser(ctx);`, `if (!canEdit(ctx, id))`)? Nothing it throws or
    answers reaches the caller in time."""
    for i, (_f, site) in enumerate(r.via):
        callee = r.via[i + 1][1].func if i + 1 < len(r.via) else r.func
        if callee is not None and callee.is_async and promise_lost(site.node):
            return True
    return False


def _returns_optional_read(call: Node) -> bool:
    """Does a helper return what it reads from the identity through `?.`, keeping its null
    (`return identity?.subject ?? null`, `=> (await ctx.auth.getUserIdentity())?.subject`,
    `const raw = identity?.userNo; if (typeof raw === "number") return raw; return null`)?
    Then the helper's caller gets null for an anonymous caller, and may stop on it."""
    def returned(read: Node, _depth: int) -> bool:
        o = js.outer(read)
        p = o.parent
        reads_through = False
        while p is not None and p.type == "member_expression" and o.field == "object" \
                and (p.first("optional_chain") is not None or reads_through):
            reads_through = True
            o = js.outer(p)
            p = o.parent
        if not reads_through:
            return False
        if p is not None and p.type == "variable_declarator" and o.field == "value" \
                and p.parent is not None and p.parent.has_tok("const"):
            return _const_returned_keeping_null(p)
        return _returned_keeping_null(o)
    return _value_acted_on(_value_of(call), returned)


def _returned_keeping_null(o: Node) -> bool:
    """Is the value `o` returned as it is, or with only a null default (`o ?? null`)?"""
    p = o.parent
    if p is not None and p.type == "binary_expression" and p.has_tok("??") and o.field == "left":
        if not _is_nullish(js.unwrap(p.child("right"))):
            return False  # `identity?.name ?? "guest"`: the null is gone
        o = js.outer(p)
        p = o.parent
    return p is not None and (p.type == "return_statement" or p.type == "arrow_function" and o.field == "body")


def _const_returned_keeping_null(declarator: Node) -> bool:
    """Does the function return the const `declarator` binds (`const raw = identity?.userNo`),
    and on its other paths return null, or something only where the const holds a value
    (`if (typeof raw === "string") return Number(raw); return null`)? Then a signed-out caller
    gets null from every path; a fallback (`return raw; ... return await defaultUser(ctx)`)
    would hand the caller something else."""
    name = declarator.child("name")
    func = js.enclosing_function(declarator)
    if name is None or name.type != "identifier" or func is None:
        return False
    returned = [js.outer(read) for read in scope.reads_of(func, name.text or "")
                if _returned_keeping_null(js.outer(read))]
    return bool(returned) and all(_is_nullish(js.unwrap(value)) or _only_when_held(value, name.text, func)
                                  or any(value.start <= r.start and r.end <= value.end for r in returned)
                                  for value in returned_values(func))


def _only_when_held(n: Node, name: str | None, func: Node) -> bool:
    """Is `n` reached only where the variable `name` holds a value: inside the `then` branch of
    an `if` (in `func`) one of whose `&&` terms tests that it is present (`raw`, `raw !== null`)
    or of a type other than undefined (`typeof raw === "string"`)?"""
    while n is not func and n.parent is not None:
        p = n.parent
        if p.type == "if_statement" and n.field == "consequence" \
                and any(_tests_presence(term, name) or _tests_defined_type(term, name)
                        for term in _terms(p.child("condition"), "&&")):
            return True
        n = p
    return False


def _tests_defined_type(cond: Node, name: str | None) -> bool:
    """`typeof x === "number"` (any type but "undefined"): true only when `x` holds a value."""
    if cond.type != "binary_expression" or not (cond.has_tok("===") or cond.has_tok("==")):
        return False
    left, right = js.unwrap(cond.child("left")), js.unwrap(cond.child("right"))
    for a, b in ((left, right), (right, left)):
        if a is not None and a.type == "unary_expression" and a.has_tok("typeof") and a.children \
                and js.unwrap(a.children[-1]) is not None and js.unwrap(a.children[-1]).text == name:
            t = js.string_value(b) if b is not None else None
            return t is not None and t not in ("undefined", "object")
    return False


def _handler_stops_on_null(r: Reached) -> bool:
    """Does the handler that called helper `r` stop when the helper's result is null: `if
    (!userId) return []`, `if (userId === null) throw ...`? Testing it on the way (`...(userId
    && { userId })`) stops nothing."""
    if len(r.via) != 1:
        return False
    return stops_on_null_at(r.via[0][1].node)


def _is_nullish(n: Node | None) -> bool:
    return n is not None and (n.type == "null" or js.is_undefined(n))


def whole_table_read(chain) -> bool:
    """Does a query read every row of its table, as anyone could ask for them: no index range
    (`withIndex` without one, or `.fullTableScan()`), no search, no filter but one comparing
    fields with literals (`q.eq(q.field("done"), true)` picks rows, not the caller's), and a
    terminal that hands on every row it reaches (`collect`, `take(n)`, `paginate`, `for await`
    with no way out of the loop)?"""
    if chain.system or chain.search_call is not None or chain.index_conditional or chain.unknown_steps \
            or chain.head is not None or chain.terminal not in ("collect", "take", "paginate", "iterate"):
        return False
    if chain.index_call is not None and (chain.range or not chain.range_known or chain.range_factory is not None):
        return False
    if chain.terminal == "iterate" and not chain.reads_whole_range:
        return False
    for f in chain.filters:
        compared = f.eqs if f.eqs is not None else [*f.bounded[0], *[(x, None, v) for x, _op, v in f.bounded[1]]] \
            if f.bounded is not None else None
        if f.helper or compared is None or any(js.literal_value(v) is ... for _field, _node, v in compared):
            return False
    return True


_BRANCHES = ("if_statement", "ternary_expression", "switch_statement", "while_statement", "do_statement")


_JUMPS = ("continue_statement", "return_statement", "break_statement", "throw_statement")


def _picks_rows(facts: FileFacts, delete: Node, loop: Node) -> bool:
    """Does the loop (or callback) that visits each row decide which rows to delete: a branch
    around the delete (`if (row.done) await ctx.db.delete(row._id)`, `row.done &&
    ctx.db.delete(row._id)`), or one before it that can leave the iteration (`if (row.ownerId
    !== me) continue`)? A branch after the delete (`if (removed % 100 === 0) console.log(...)`)
    picks nothing."""
    body = loop.child("body")
    if body is None:
        return True
    for n in facts.module.nodes_in(body, *_BRANCHES, "binary_expression"):
        if n.type == "binary_expression" and not (n.has_tok("&&") or n.has_tok("||") or n.has_tok("??")):
            continue
        if n.start <= delete.start < n.end or n.start < delete.start and facts.module.nodes_in(n, *_JUMPS):
            return True
    return False


_VERDICT_METHODS = frozenset(["includes", "has", "some", "every", "indexOf", "startsWith", "endsWith", "test",
                              "match", "find", "findIndex"])
_COMPARISONS = ("===", "!==", "==", "!=", "<", ">", "<=", ">=", " in ", "instanceof")


def _decides_beyond_sign_in(facts: FileFacts, func: Node, caller: "_Mentions", declarators: list[Node]) -> bool:
    """Does code in `func` decide something from the caller other than whether there is one
    (`_presence_only`), or test `process.env`? Conditions (`if`, ternaries, loops, `switch`),
    comparisons (`row.ownerId === me`) and membership tests (`ADMINS.includes(identity.email)`)
    anywhere in it count."""
    handles = _caller_handles(caller, declarators)
    for n in facts.module.nodes_in(func, *_BRANCHES):
        cond = n.child("value") if n.type == "switch_statement" else n.child("condition")
        if cond is None:
            continue
        if caller.in_(cond) and not _presence_only(cond, caller, handles):
            return True
        if n.type == "if_statement" and "process.env" in facts.text(cond):
            return True  # `if (process.env.NODE_ENV === "production") throw`: a development gate
    for n in facts.module.nodes_in(func, "binary_expression"):
        if any(n.has_tok(op.strip()) for op in _COMPARISONS) and caller.in_(n) \
                and not _presence_only(n, caller, handles):
            return True
    for n in facts.module.nodes_in(func, "call_expression"):
        callee = js.callee(n)
        prop = callee.child("property") if callee is not None and callee.type == "member_expression" else None
        if prop is not None and prop.text in _VERDICT_METHODS and caller.in_(n):
            return True
    return False


def _caller_handles(caller: "_Mentions", declarators: list[Node]) -> set[str]:
    """The names of `caller` that hold the caller itself, whose presence tells only that someone
    is signed in: the result of a call (`await getAuthUserId(ctx)`, the caller's row read
    with it) or one of its id claims (`identity.subject`), not a verdict computed from it
    (`const isAdmin = user.role === "admin"`)."""
    out: set[str] = set()
    for d in declarators:
        if d.type == "assignment_expression":
            left = js.unwrap(d.child("left"))
            names = [left.text] if left is not None and left.type == "identifier" else []
            value = d.child("right")
        else:
            names = scope.bound_names(d)
            value = d.child("value")
            if d.child("name") is not None and d.child("name").type != "identifier":
                continue  # `const { role } = user`: a field of the caller's row
        if names and all(x in caller.names for x in names) and _caller_value(value, caller):
            out.update(names)
    return out


def _caller_value(value: Node | None, caller: "_Mentions") -> bool:
    value = _awaited(value)
    if value is None:
        return False
    if value.type == "call_expression":
        callee = js.callee(value)
        prop = callee.child("property") if callee is not None and callee.type == "member_expression" else None
        return prop is None or prop.text not in _VERDICT_METHODS
    if value.type == "binary_expression" and (value.has_tok("??") or value.has_tok("||")):
        return all(_caller_value(value.child(side), caller) or js.literal_value(value.child(side)) is None
                   for side in ("left", "right"))
    if value.type == "identifier":
        return True
    chain = js.member_chain(value) if value.type == "member_expression" else None
    return chain is not None and all(p in _CALLER_CLAIMS for p in chain[1])


def _presence_only(n: Node, caller: "_Mentions", handles: set[str]) -> bool:
    """Does `n` test the caller's values only for being there (`!identity`, `user === null`,
    `!identity?.subject`, joined by `&&`/`||`, beside tests of anything else)?"""
    n = _awaited(n)
    if n is None or not caller.in_(n):
        return True
    if n.type == "unary_expression" and n.has_tok("!") and n.children:
        return _presence_only(n.children[-1], caller, handles)
    if n.type == "binary_expression" and (n.has_tok("&&") or n.has_tok("||") or n.has_tok("??")):
        return _presence_only(n.child("left"), caller, handles) and _presence_only(n.child("right"), caller, handles)
    if n.type == "binary_expression" and any(n.has_tok(op) for op in ("===", "!==", "==", "!=")):
        left, right = js.unwrap(n.child("left")), js.unwrap(n.child("right"))
        for side, other in ((left, right), (right, left)):
            if _is_nullish(other) or js.string_value(other) == "undefined":
                if side is not None and side.type == "unary_expression" and side.has_tok("typeof") and side.children:
                    side = js.unwrap(side.children[-1])
                return _caller_itself(side, caller, handles)
        return False
    return _caller_itself(n, caller, handles)


def _caller_itself(n: Node | None, caller: "_Mentions", handles: set[str]) -> bool:
    """Is `n` the caller's value itself (a fetch's call, a handle, a parameter carrying it) or
    one of its id claims (`identity.subject`, `user._id`)?"""
    n = _awaited(n)
    if n is None:
        return False
    if any(s is n for s in caller.seeds):
        return True
    if n.type == "identifier":
        return n.text in handles
    chain = js.member_chain(n) if n.type == "member_expression" else None
    return chain is not None and all(p in _CALLER_CLAIMS for p in chain[1]) and _caller_itself(chain[0], caller, handles)


def _test_only_gate(r: Reached) -> tuple[Node, str] | None:
    """`if (process.env.IS_TEST === undefined) throw new Error(...)` as a statement of the
    function's body: without the test switch set, it throws before anything else runs, so in
    a real deployment no one can call it. (the `if`, `process.env.X`) or None."""
    body = js.function_body(r.func.node)
    if body is None or body.type != "statement_block":
        return None
    reads = {id(u.node): u.env_var for u in r.facts.env_reads()
             if u.func is r.func and TEST_SWITCH_ENV.match(u.env_var or "")}
    if not reads:
        return None
    for stmt in body.children:
        if stmt.type != "if_statement" or not _ends_in_throw(stmt.child("consequence")):
            continue
        cond = js.unwrap(stmt.child("condition"))
        read = cond
        if cond is not None and cond.type == "unary_expression" and cond.has_tok("!") and cond.children:
            read = js.unwrap(cond.children[0])  # `!process.env.IS_TEST`
        elif cond is not None and cond.type == "binary_expression" and (cond.has_tok("===") or cond.has_tok("==")):
            # `=== undefined`, `== null`, `=== ""`: the switch is unset
            other = js.unwrap(cond.child("right"))
            read = js.unwrap(cond.child("left"))
            if other is None or not (other.type in ("undefined", "null") or other.text == "undefined"
                                     or js.string_value(other) == ""):
                continue
        elif cond is not None and cond.type == "binary_expression" and (cond.has_tok("!==") or cond.has_tok("!=")):
            other = js.unwrap(cond.child("right"))  # `!== "true"`: anything but the value that turns it on
            read = js.unwrap(cond.child("left"))
            if other is None or not js.string_value(other):
                continue
        else:
            continue
        if read is not None and id(read) in reads:
            return stmt, f"process.env.{reads[id(read)]}"
    return None


@dataclass(frozen=True, slots=True)
class EnvGetter:
    """A project function that returns a server secret from the environment: `process.env.X`
    (`var`, a secret's name) as read (`return process.env.STATE_KEY!`) or through a local (`const
    k = process.env.STATE_KEY; if (!k) throw ...; return k`), or the variable its parameter
    `param` names (`getEnv(name)` returning `process.env[name]`, `var` None). `may_be_unset`: it
    hands back what it read without refusing a missing value (no `if (!value) throw`, no `!`),
    so a caller's `if (key && header !== key)` skips the check while the variable is unset."""

    var: str | None
    param: int
    may_be_unset: bool


def env_getter(facts: FileFacts, func: FunctionInfo) -> EnvGetter | None:
    """What `func` returns from the environment (`EnvGetter`), or None."""
    reads: list[tuple[Node, str | None, int]] = []  # (the read, its secret's name, or the parameter naming it)
    reads += [(u.node, u.env_var, -1) for u in facts.env_reads() if u.func is func and SECRET_ENV.search(u.env_var or "")]
    for n in facts.module.nodes_in(func.node, "subscript_expression"):  # `process.env[name]`
        chain = js.member_chain(n.child("object"))
        key = js.unwrap(n.child("index"))
        if chain is None or chain[1] != ["env"] or chain[0].type != "identifier" or chain[0].text != "process" \
                or key is None or key.type != "identifier" or js.enclosing_function(n) is not func.node:
            continue
        ref = func.lookup(key.text or "")
        if func.lookup("process") is None and "process" not in facts.bindings and ref is not None \
                and ref.kind == "param" and ref.func is func and not ref.path:
            reads.append((n, None, ref.index))
    held: dict[str, tuple[Node, str | None, int]] = {}  # local -> the read it holds
    for read in reads:
        d = js.outer(read[0]).parent
        if d is not None and d.type == "binary_expression" and d.has_tok("??"):
            d = js.outer(d).parent
        n = d.child("name") if d is not None and d.type == "variable_declarator" else None
        if n is not None and n.type == "identifier":
            held[n.text or ""] = read
    body = func.body
    returned = [r.children[0] for r in js.return_statements(func.node) if r.children] \
        if body is not None and body.type == "statement_block" else [body]
    for value in returned:
        value = js.unwrap(value)
        if value is not None and value.type == "binary_expression" and value.has_tok("??"):
            value = js.unwrap(value.child("left"))  # `process.env.KEY ?? ""`
        if value is None:
            continue
        local = value.text if value.type == "identifier" and value.text in held else None
        read = held[local or ""] if local is not None else next((r for r in reads if r[0] is value), None)
        if read is None:
            continue
        refused = _asserted(read[0]) or local is not None and any(
            _throws_if_null(n, 0) for n in scope.reads_of(func.node, local))
        return EnvGetter(read[1], read[2], not refused)
    return None


def _secret_holders(r: Reached, returned_secret: "ReturnedSecret | None" = None
                    ) -> tuple[dict[str, str], dict[int, str]] | None:
    """Where a server secret is in function `r`: the locals that hold it or a value made from
    it (`const expected = await sign(secret, body)`), and the nodes that read it (`process.env.X`,
    a key getter's call), each with the secret's name; None when it reads none."""
    secrets = [(u.node, f"process.env.{u.env_var}") for u in r.facts.env_reads()
               if SECRET_ENV.search(u.env_var or "") and u.func is not None and u.func.is_inside(r.func)]
    secrets += _env_object_secrets(r)
    if returned_secret is not None:
        secrets += [(site.node, found[0]) for site in r.func.all_calls() if site.func is r.func
                    and site.ref is not None and (found := returned_secret(r.facts, site)) is not None]
    names: dict[str, str] = {}  # local -> "process.env.X" it holds
    # a module's constant read here (`const SECRET = process.env.X ?? ""` above the helper), unless
    # a name of the function hides it
    names.update((name, held) for name, held in _module_secret_consts(r.facts).items()
                 if r.func.lookup(name) is None and any(scope.reads_of(r.func.node, name)))
    if not secrets and not names:
        return None
    spelled: dict[int, str] = {}
    for node, name in secrets:
        spelled[id(node)] = name
        n = _holder_name(node)
        if n is not None:
            names[n] = name
    # locals made from a secret: `const expected = await sign(secret, body)`
    declarators = list(r.facts.module.nodes_in(r.func.node, "variable_declarator"))
    for _ in range(2):
        for d in declarators:
            n = d.child("name")
            if n is None or n.type != "identifier" or n.text in names:
                continue
            held = _secret_in(js.unwrap(d.child("value")), names, spelled)
            if held is not None:
                names[n.text or ""] = held
    return names, spelled


def _owner_test(handler: Reached, read: Node, required: set[str]) -> bool:
    """Is `read` (of the caller's identity, or the user a helper found) read through `?.` and
    compared equal with a required argument of the handler (`viewer?._id === args.userId`), the
    answer deciding what the function does, not only handed out as a flag (`_only_a_flag`)?"""
    o = js.outer(read)
    member = o.parent
    if member is None or member.type != "member_expression" or o.field != "object" \
            or member.first("optional_chain") is None:
        return False
    m = js.outer(member)
    cmp = m.parent
    if cmp is None or cmp.type != "binary_expression" or not (cmp.has_tok("===") or cmp.has_tok("==")):
        return False
    other = cmp.child("right") if m.field == "left" else cmp.child("left")
    return handler_argument(handler, js.unwrap(other)) in required and not _only_a_flag(member)


def _holder_name(read: Node, fallbacks_only: bool = False) -> str | None:
    """The name of the `const`/`let` whose value is the secret `read`, kept as it is or with a
    fallback: `process.env.X!`, `process.env.X ?? ""`, `process.env.A ?? process.env.B ?? ""`
    (unless `fallbacks_only`, also one level of another operator)."""
    o = js.outer(read)
    d = o.parent
    while d is not None and d.parent is not None and (d.type == "non_null_expression" or d.type == "binary_expression"
                                                       and (d.has_tok("??") or d.has_tok("||"))):
        o, d = js.outer(d), js.outer(d).parent
    if d is not None and d.type == "binary_expression" and d.parent is not None and not fallbacks_only:
        o, d = d, d.parent
    if d is not None and d.type == "variable_declarator" and o.field == "value":
        n = d.child("name")
        if n is not None and n.type == "identifier":
            return n.text or ""
    return None


def _module_secret_consts(facts: FileFacts) -> dict[str, str]:
    """The module-level `const`s of a file that hold a server secret read from the environment
    (`const WEBHOOK_SECRET = process.env.EMAIL_WEBHOOK_SECRET ?? ""`): name -> `process.env.X`."""
    out: dict[str, str] = {}
    for u in facts.env_reads():
        if u.func is not None or not SECRET_ENV.search(u.env_var or ""):
            continue
        name = _holder_name(u.node, fallbacks_only=True)  # (not `const HAS_KEY = process.env.KEY !== undefined`)
        decl = js.outer(u.node)
        while decl.parent is not None and decl.type != "variable_declarator":
            decl = decl.parent
        kind = decl.parent
        if name is not None and name not in out and kind is not None and kind.type == "lexical_declaration" \
                and kind.has_tok("const"):
            out[name] = f"process.env.{u.env_var}"
    return out


def _secret_comparison(r: Reached, returned_secret: "ReturnedSecret | None" = None,
                       fail_open: bool = False, held: tuple | None = None) -> tuple[Node, str] | None:
    """`if (args.token !== process.env.BACKEND_TOKEN) throw ...`, also through a local
    (`const expected = process.env.X`) or a template (`Bearer ${process.env.X}`): the caller
    must hold a server secret, shared-secret access control (other servers, scripts). Also a
    value made from the secret, an HMAC of the argument (`const expected = await sign(key(),
    body); if (expected !== mac) return null`, `timingSafeEqual(expected, mac)`, or a XOR loop
    and `diff !== 0`), the key
    read here or returned by a project function (`returned_secret`): an OAuth `state` signed
    by the server. (comparison, `process.env.X`) or None. A comparison that runs only when
    the secret is set (`if (secret && header !== secret) return 401`) lets everyone in while
    the variable is unset, and one that runs only when the caller sent a value (`if (token &&
    token !== secret) return 401`) lets in everyone who sends none: not one, but what
    `fail_open` asks for (`_skipped_when_unset`, `skipped_without_value`).
    `held`: `_secret_holders(r, returned_secret)`, when the caller has it already."""
    if held is None:
        held = _secret_holders(r, returned_secret)
    if held is None:
        return None
    names, spelled = held

    def wanted(node: Node) -> bool:
        return (_skipped_when_unset(r, node, names, spelled, returned_secret)
                or skipped_without_value(r, node, names, spelled) is not None) == fail_open
    for call in r.facts.module.nodes_in(r.func.node, "call_expression"):
        # a constant-time comparison (`timingSafeEqual(a, b)`, `constantTimeEqual(a, b)`)
        callee = js.callee(call)
        name = callee.child("property") if callee is not None and callee.type == "member_expression" else callee
        if name is None or not _CONSTANT_TIME.search(name.text or ""):
            continue
        given = [js.unwrap(a) for a in js.call_args(call)][:2]
        held = [_secret_in(a, names, spelled) for a in given]
        if len(given) == 2 and None not in given and (held[0] is None) != (held[1] is None) \
                and all(js.literal_value(a) is ... for a in given) and wanted(call):
            return call, held[0] or held[1]
    # a constant-time comparison written out: `diff |= expected.charCodeAt(i) ^ mac.charCodeAt(i)`
    # over both values, then `if (diff !== 0) return null`
    differences: dict[str, str] = {}
    for a in r.facts.module.nodes_in(r.func.node, "augmented_assignment_expression"):
        left, right = a.child("left"), a.child("right")
        if left is None or left.type != "identifier" or right is None:
            continue
        words = [w.text or "" for w in right.walk() if w.type == "identifier"]
        held = next((names[w] for w in words if w in names), None)
        if held is not None and any(w not in names and w != left.text for w in words):
            differences[left.text or ""] = held
    for cmp in r.facts.module.nodes_in(r.func.node, "binary_expression"):
        if not any(cmp.has_tok(t) for t in _EQUALITY):
            continue
        sides = [js.unwrap(cmp.child("left")), js.unwrap(cmp.child("right"))]
        held = [_secret_in(side, names, spelled) for side in sides]
        for i in (0, 1):
            other = sides[1 - i]
            if held[i] is not None and other is not None and held[1 - i] is None \
                    and js.literal_value(other) is ... and other.type != "undefined" and wanted(cmp):
                return cmp, held[i]
            side = sides[i]
            if side is not None and side.type == "identifier" and side.text in differences \
                    and other is not None and js.literal_value(other) is not ... and not fail_open:
                return cmp, differences[side.text or ""]
    return None


def _skipped_when_unset(r: Reached, check: Node, names: dict[str, str], spelled: dict[int, str],
                        returned_secret: "ReturnedSecret | None" = None) -> bool:
    """Is `check` (a comparison with a secret) a term of the `&&` condition of an exiting `if`
    another of whose terms is the secret's presence (`if (secret && header !== secret) return
    401`, `if (process.env.X && ...)`)? With the variable unset the test is false, and every
    request goes on. Not when the secret is read with `!` (`process.env.X!`: the author says
    it is set), through a getter that refuses a missing value (`getEnv("X")` that throws) or
    through anything but the environment, nor when an earlier `if` exits without it (`if
    (!secret) throw ...`); `if (!secret || header !== secret)` fails closed."""
    cond = _exiting_condition(check)
    if cond is None:
        return False

    def getter_may_be_unset(call: Node) -> bool | None:
        """For a call of a secret getter: whether what it returns may be missing; else None."""
        site = r.func.site_of(call) if returned_secret is not None and call.type == "call_expression" else None
        found = returned_secret(r.facts, site) if site is not None else None
        return found[1] if found is not None else None

    terms = [t for t in _terms(cond, "&&") if not (t.start <= check.start and check.end <= t.end)]
    for term in terms:
        if id(term) in spelled:  # `process.env.X && ...`
            return getter_may_be_unset(term) is not False and not _unset_handled(r, cond, None, term)
        name = term.text if term.type == "identifier" else None
        if name in names and _tests_presence(term, name):
            reads = [u.node for u in r.facts.env_reads() if SECRET_ENV.search(u.env_var or "")
                     and _holder_name(u.node) == name]
            calls = [c for c in (site.node for site in r.func.all_calls() if site.func is r.func)
                     if _holder_name(c) == name and id(c) in spelled]
            return bool(reads or calls) and not any(_asserted(n) for n in reads) \
                and all(getter_may_be_unset(c) for c in calls) and not _unset_handled(r, cond, name, term)
    return False
    terms = [t for t in _terms(cond, "&&") if not (t.start <= check.start and check.end <= t.end)]
    for term in terms:
        if id(term) in spelled:  # `process.env.X && ...`
            return not _unset_handled(r, cond, None, term)
        name = term.text if term.type == "identifier" else None
        if name in names and _tests_presence(term, name):
            reads = [u.node for u in r.facts.env_reads() if SECRET_ENV.search(u.env_var or "")
                     and _holder_name(u.node) == name]
            return bool(reads) and not any(_asserted(n) for n in reads) and not _unset_handled(r, cond, name, term)
    return False


def skipped_without_value(r: Reached, check: Node, names: dict[str, str], spelled: dict[int, str]) -> Node | None:
    """The caller's value (`token`) compared in `check` (a comparison with a secret, or a
    constant-time call given it) whose presence is another term of the `&&` condition of the
    exiting `if` that holds it (`if (secret && token && token !== secret) return 401`, `if
    (auth && !timingSafeEqual(auth, expected))`): a request without the value is never refused,
    whatever it asks. Not when an earlier `if` exits without it (`if (!token) return 401`)."""
    cond = _exiting_condition(check)
    if cond is None:
        return None
    if check.type == "call_expression":
        compared = [js.unwrap(a) for a in js.call_args(check)][:2]
    else:
        compared = [js.unwrap(check.child("left")), js.unwrap(check.child("right"))]
    values = [v for v in compared if v is not None and _secret_in(v, names, spelled) is None]
    for term in _terms(cond, "&&"):
        if term.start <= check.start and check.end <= term.end or _secret_in(term, names, spelled) is not None:
            continue
        present = term.children[0].children[0] if term.type == "unary_expression" and term.children \
            and term.children[0].type == "unary_expression" and term.children[0].children else term  # `!!token`
        present = js.unwrap(present)
        if present is None or present.type not in ("identifier", "member_expression"):
            continue
        spelled_as = r.facts.text(present)
        for value in values:
            # the value itself, or what it is read from (`auth && auth.slice(7) !== secret`)
            if any(w.type == present.type and r.facts.text(w) == spelled_as for w in value.walk()) \
                    and not _unset_handled(r, cond, spelled_as, present):
                return value
    return None


def read_only_within(func: Node, call: Node, nodes: list[Node], depth: int = 2) -> bool:
    """Is the value of `call` (in function `func`) read only inside `nodes`: written there, or
    held in a const whose every read is (`const auth = req.headers.get("Authorization")`, read
    only by comparisons `Access.fail_open_secrets` holds), as it is or changed by its own
    methods, also through `depth` more consts (`const token = auth?.replace("Bearer ", "")`)?"""
    def inside(n: Node) -> bool:
        return any(x.start <= n.start and n.end <= x.end for x in nodes)

    if inside(call):
        return True
    value = _value_of(call)
    # kept as changed by its own methods: `req.headers.get("Authorization")?.replace("Bearer ", "")`
    while value.parent is not None and (value.parent.type in ("member_expression", "subscript_expression")
                                        and value.field == "object" or value.parent.type == "call_expression"
                                        and value.field == "function"):
        value = _value_of(value.parent)
    decl = value.parent
    name = decl.child("name") if decl is not None and decl.type == "variable_declarator" else None
    if name is None or name.type != "identifier":
        return False
    reads = scope.reads_of(func, name.text or "")
    return bool(reads) and all(inside(n) or depth > 0 and read_only_within(func, n, nodes, depth - 1) for n in reads)


def _asserted(env_read: Node) -> bool:
    """`process.env.X!`: read with a non-null assertion."""
    p = env_read.parent
    while p is not None and p.type in ("parenthesized_expression", "as_expression", "satisfies_expression"):
        p = p.parent
    return p is not None and p.type == "non_null_expression"


def _unset_handled(r: Reached, cond: Node, name: str | None, term: Node) -> bool:
    """Does an `if` before the one of `cond`, in function `r`, exit when the secret is missing
    (`if (!secret) throw ...`, `if (!process.env.X || ...) return ...`)?"""
    stmt = js.outer(cond).parent
    for other in r.facts.module.nodes_in(r.func.node, "if_statement"):
        if other.end > stmt.start or js.enclosing_function(other) is not r.func.node \
                or not js.always_exits(other.child("consequence")):
            continue
        for d in _terms(other.child("condition"), "||"):
            if d.type == "unary_expression" and d.has_tok("!"):
                inner = js.unwrap(d.child("argument"))
                # (as written: a member expression's node holds no text of its own)
                if inner is not None and r.facts.text(inner) == (name if name is not None else r.facts.text(term)):
                    return True
    return False


_CONSTANT_TIME = re.compile(r"timingSafeEqual|constantTime|safeEqual|safeCompare|secureCompare|timingSafeCompare", re.I)


# Calls that check a signature or token with a key: `validateEvent` (Polar), `constructEvent`
# (Stripe), svix's `verify`, `createHmac`, a project's `verifySignature`
_VERIFIER_CALL = re.compile(r"verif|validat|construct|hmac|signature|unseal|decrypt|decode|compare|equal|"
                            r"authenticat|unwrap|check", re.I)
# Reads through a client made with the key (`replicate.predictions.get(body.id)`): the sender's
# own API answers for the event the request names, so a forged one is not found
_FETCH_BACK_CALL = re.compile(r"^(get|retrieve|fetch)", re.I)


def _secret_verifies_request(r: Reached, names: dict[str, str], spelled: dict[int, str],
                             project_call: "Callable[[CallSite], bool]",
                             keyed_client: "Callable[[Node], str | None]") -> tuple[Node, str] | None:
    """A server secret handed to a verifier together with what came in with the request
    (`validateEvent(body, headers, secret)`, `new Webhook(secret).verify(body, headers)`,
    `const wh = new Webhook(secret); wh.verify(...)`, a project helper `checkSignature(req,
    secret)`). Handing the secret to anything else (`fetch`, a log, `ctx.run*`) or only testing
    that it is set (`if (!secret) return 500`) checks nothing about the sender."""
    def holds(n: Node | None) -> str | None:
        for w in n.walk() if n is not None else ():
            if id(w) in spelled:
                return spelled[id(w)]
            if w.type == "identifier" and w.text in names:
                return names[w.text or ""]
        return None

    # locals made around the secret: `const wh = new Webhook(secret)`
    built: dict[str, str] = {}
    for d in r.facts.module.nodes_in(r.func.node, "variable_declarator"):
        n, value = d.child("name"), js.unwrap(d.child("value"))
        if n is not None and n.type == "identifier" and value is not None \
                and value.type in ("new_expression", "call_expression", "await_expression"):
            found = holds(value)
            if found is not None:
                built[n.text or ""] = found
    for site in r.func.all_calls():
        callee = js.callee(site.node)
        chain = js.member_chain(callee)
        if callee is None or chain is None or callee.text == "fetch":
            continue
        root, path = chain
        if root.type == "identifier" and (root.text == "console" or _is_handler_ctx(r, root)):
            continue
        given = [js.unwrap(a) for a in js.call_args(site.node)]
        secret = next((found for a in given if (found := holds(a)) is not None), None)
        keyed = None
        if secret is None and path:  # the receiver was made with the secret (`client()` returns one)
            keyed = built.get(root.text or "") if root.type == "identifier" else \
                holds(root) if root.type == "new_expression" else \
                keyed_client(root) if root.type == "call_expression" else None
            secret = keyed
        name = path[-1] if path else (root.text or "")
        if secret is None or not (_VERIFIER_CALL.search(name) or project_call(site)
                                  or keyed is not None and _FETCH_BACK_CALL.match(name)):
            continue
        if any(a is not None and _from_request(r, a, names, 0) for a in given):
            return site.node, secret
    return None


def _is_handler_ctx(r: Reached, ident: Node) -> bool:
    """The handler's ctx (`ctx.runMutation`): what it is handed goes to another function, not
    to a check."""
    ref = r.facts.ref_of(ident)
    if ref is not None and ref.kind == "param" and ref.func is r.func and ref.index == r.ctx_index:
        return True
    return ident.text in ("ctx", "context")


def _from_request(r: Reached, node: Node, names: dict[str, str], depth: int) -> bool:
    """Is an expression made from what the function was handed (the request, its body or
    headers, a helper's parameters), directly or through a local `const`; not from the secret
    itself or the ctx?"""
    if depth > 4:
        return False
    for n in node.walk():
        if n.type not in ("identifier", "shorthand_property_identifier") or n.text in names:
            continue
        ref = r.facts.ref_of(n)
        if ref is None or _is_handler_ctx(r, n):
            continue
        if ref.kind == "param" and ref.func is not None and r.func.is_inside(ref.func):
            return True
        if ref.kind == "local":
            init = local_value(r.facts, n) or _destructured_from(r, n.text or "")
            if init is not None and _from_request(r, init, names, depth + 1):
                return True
    return False


def _destructured_from(r: Reached, name: str) -> Node | None:
    """The value a name is destructured from in `r` (`const { id } = await req.json()`)."""
    for d in r.facts.module.nodes_in(r.func.node, "variable_declarator"):
        pattern = d.child("name")
        if pattern is not None and pattern.type in ("object_pattern", "array_pattern") and any(
                p.text == name for p in pattern.walk()
                if p.type in ("identifier", "shorthand_property_identifier_pattern")):
            return d.child("value")
    return None

# global calls that hand their argument on as it is, encoded (`body: JSON.stringify({ code })`)
_PASS_THROUGH = frozenset(["JSON.stringify", "String", "encodeURIComponent", "URLSearchParams", "btoa"])


def _looked_up_in_database(fn: "RegisteredFunction", queries: "DatabaseUses", reads: list[Node]) -> bool:
    """Does the handler of `fn` read a row by one of `reads`: `ctx.db.get(args.sessionId)`, or
    a query whose index range or filter compares a field with it (`.eq("token", args.token)`)?"""
    def holds_read(n: Node | None) -> bool:
        return n is not None and any(n.start <= r.start and r.end <= n.end for r in reads)

    calls = [c for c in queries.calls_of(fn) if c.func is fn.handler]
    if any(c.method == "get" and holds_read(c.id_node) for c in calls):
        return True
    ids = {id(c) for c in calls}
    for ch in queries.chains:
        if id(ch.call) not in ids:
            continue
        if any(holds_read(v) for v in _compared_values(ch)):
            return True
    return False


def _compared_values(ch: "QueryChain") -> list[Node]:
    """The values a query compares fields with: in its index or search range, and in its
    filters' equalities (or bounds)."""
    values = [op.value_node for op in [*(ch.range or []), *(ch.search_range or [])]]
    return values + [v for f in ch.filters for _field, _node, v in (f.eqs or (f.bounded[0] if f.bounded else []))]


def _looked_up_or_compared(read: Node) -> bool:
    """Is a value compared (`===`) or handed to a database query (`.eq("code", code)`,
    `ctx.db.get(...)`): checked against this app's own data?"""
    n = js.outer(read)
    p = n.parent
    if p is not None and p.type == "binary_expression" and any(p.has_tok(t) for t in _EQUALITY):
        return True
    while p is not None and p.type not in _STOP_CLIMB:
        if p.type == "call_expression":
            chain = js.member_chain(js.callee(p))
            if chain is not None and chain[1] and chain[1][-1] in ("eq", "get", "normalizeId", "unique", "first"):
                return True
        p = p.parent
    return False


# calls that hash what they are given (`sha256(key)`, `hashApiKey(key)`, `crypto.subtle.digest(...)`)
_HASHING_CALL = re.compile(r"hash|^sha(\d|$)|digest", re.I)


def _hash_of(read: Node) -> Node | None:
    """The value of the hashing call (`_HASHING_CALL`) that `read` is handed to, directly or
    inside another argument (`digest("SHA-256", encoder.encode(key))`), in its statement."""
    n = js.outer(read)
    p = n.parent
    while p is not None and p.type not in _STOP_CLIMB:
        if p.type == "call_expression" and n.type == "arguments":
            chain = js.member_chain(js.callee(p))
            if chain is not None and _HASHING_CALL.search(chain[1][-1] if chain[1] else chain[0].text or ""):
                return _value_of(p)
        n, p = p, p.parent
    return None


def _hash_lookup(read: Node) -> bool:
    """Is `read` the value of an equality in a database query on a field that holds a hash
    (`q.eq("keyHash", keyHash)`, `q.eq(q.field("tokenHash"), hash)`)?"""
    o = js.outer(read)
    call = o.parent.parent if o.parent is not None and o.parent.type == "arguments" else None
    chain = js.member_chain(js.callee(call)) if call is not None and call.type == "call_expression" else None
    if chain is None or chain[1][-1:] != ["eq"]:
        return False
    return any(n.type == "string" and "hash" in (js.string_value(n) or "").lower()
               for a in js.call_args(call) if a is not o for n in a.walk())


# a link's id, which is the guest's whole credential when it is a free string (`v.string()`)
_LINK_ID_ARG = re.compile(r"^(share|shareLink|publicLink|publicShare|guestLink)Id$")
# the calls that make random keys: Web Crypto and node:crypto, and the packages made for it
_RANDOM_METHODS = frozenset(["randomUUID", "getRandomValues", "randomBytes"])
_RANDOM_PACKAGES = frozenset(["uuid", "nanoid"])


def _random_call(facts: FileFacts, call: Node) -> bool:
    """`crypto.randomUUID()`, `crypto.getRandomValues(bytes)`, `randomBytes(16)` of
    node:crypto, or a function imported from `uuid` or `nanoid` (`v4()`, `nanoid()`)."""
    chain = js.member_chain(js.callee(call))
    if chain is None:
        return False
    root, path = chain
    if (path[-1] if path else root.text) in _RANDOM_METHODS:
        return True
    imp = facts.import_of(root.text or "") if root.type == "identifier" and not path else None
    return imp is not None and imp.source in _RANDOM_PACKAGES


def _equality_field(read: Node) -> str | None:
    """The field a value is matched against in a database query (`q.eq("shareId", read)`,
    `q.eq(q.field("shareId"), read)`), or None."""
    o = js.outer(read)
    call = o.parent.parent if o.parent is not None and o.parent.type == "arguments" else None
    chain = js.member_chain(js.callee(call)) if call is not None and call.type == "call_expression" else None
    if chain is None or chain[1][-1:] != ["eq"]:
        return None
    others = [a for a in js.call_args(call) if a is not o]
    if len(others) != 1:
        return None
    other = js.unwrap(others[0])
    if other is not None and other.type == "call_expression" and js.call_args(other):
        other = js.unwrap(js.call_args(other)[0])  # `q.field("shareId")`
    return js.string_value(other) if other is not None and other.type == "string" else None


def _shorthand_const(facts: FileFacts, n: Node) -> Node | None:
    """The initializer of the local `const` a shorthand property (`{ shareId }`) writes."""
    from .evaluate import local_const

    return js.unwrap(local_const(facts, n))


_SESSION_ARG = re.compile(r"[sS]ession(Id|Token)$")
# a code a shop hands out to everyone (printed on a landing page, chosen by an admin): no secret
_PROMO_ARG = re.compile(r"^(promo|promotion|discount|coupon)(Code)?$", re.I)
_DB_WRITES = ("insert", "patch", "replace")


def _rest_reads(pattern: Node, name: str):
    """Where the rest object of `const { a, ...rest } = args` is used, when it holds field
    `name` (not destructured by name): the read if it is written as a document (stored, like
    `ctx.db.patch(id, rest)`), else None (handed on whole)."""
    rest = None
    for c in pattern.children:
        if c.type == "shorthand_property_identifier_pattern" and c.text == name:
            return
        if c.type == "pair_pattern" and js.property_key(c) == name:
            return
        if c.type == "rest_pattern":
            rest = c.children[0] if c.children and c.children[0].type == "identifier" else None
    func = js.enclosing_function(pattern)
    if rest is None or func is None:
        return
    for u in scope.reads_of(func, rest.text or "", exclude=rest):
        yield u if _stored_in_document(u) else None


def _stored_in_document(value: Node) -> bool:
    """Is this expression a field of the document a `ctx.db.insert/patch/replace` writes
    (`{ code: args.code }`, `{ code }`)?"""
    p = value.parent
    if value.type == "shorthand_property_identifier":
        obj = p
    elif p is not None and (p.type == "pair" and value.field == "value" or p.type == "spread_element"):
        obj = p.parent
    elif p is not None and p.type == "arguments" and value.type == "identifier":  # the document itself
        obj = value
    else:
        return False
    if obj is value:
        obj = p.parent
        callee = js.callee(obj) if obj is not None and obj.type == "call_expression" else None
        prop = callee.child("property") if callee is not None and callee.type == "member_expression" else None
        return prop is not None and prop.text in _DB_WRITES
    if obj is None or obj.type != "object" or obj.parent is None or obj.parent.type != "arguments":
        return False
    callee = js.callee(obj.parent.parent) if obj.parent.parent is not None else None
    prop = callee.child("property") if callee is not None and callee.type == "member_expression" else None
    return prop is not None and prop.text in _DB_WRITES


_ENV_SECRET_MEMBER = re.compile(rb"\.[A-Z][A-Z0-9_]*(?:SECRET|TOKEN|KEY|SIGNING|PASSWORD)[A-Z0-9_]*\b")
_ENV_NAME = re.compile(r"^[A-Z][A-Z0-9_]*$")


def _env_object_secrets(r: Reached) -> list[tuple[Node, str]]:
    """`env.INTERNAL_SECRET` where `env` is a validated environment object (`const env =
    backendEnv()`, t3-env's `import { env } from "./env"`, `getConfig().API_TOKEN`): an
    environment variable's name read off an object, spelled as environment variables are."""
    func = r.func.node
    source = r.facts.source
    if _ENV_SECRET_MEMBER.search(source, func.start, func.end) is None:
        return []  # most functions: no such name at all, so no walk
    out = []
    for n in r.facts.module.nodes_in(func, "member_expression"):
        prop = n.child("property")
        obj = js.unwrap(n.child("object"))
        if prop is None or obj is None or not _ENV_NAME.match(prop.text or "") or not SECRET_ENV.search(prop.text or ""):
            continue
        if obj.type == "call_expression" or (obj.type == "identifier" and obj.text != "process"):
            out.append((n, f"{r.facts.source[obj.start:obj.end].decode('utf-8', 'replace')}.{prop.text}"))
    return out


# methods that turn a value into another spelling of it (a digest's bytes into hex)
_DIGEST_METHODS = re.compile(r"^(map|join|toString|digest|update|slice|substring|padStart|toLowerCase|toUpperCase|"
                             r"trim|replace|replaceAll)$")
_BYTES = re.compile(r"^(Uint8Array|Uint16Array|Uint32Array|Int8Array|DataView|Buffer)$")


def _secret_in(n: Node | None, names: dict[str, str], spelled: dict[int, str]) -> str | None:
    if n is None:
        return None
    if n.type == "await_expression" and n.children:
        return _secret_in(js.unwrap(n.children[0]), names, spelled)
    if n.type == "call_expression":
        # the secret returned by a key getter, or a value made from it (`hmac(secret, body)`);
        # not what a server answers when sent the secret (`fetch(url, { headers })`)
        callee = js.callee(n)
        if id(n) in spelled or callee is None or callee.text == "fetch":
            return spelled.get(id(n))
        for a in js.call_args(n):
            found = _secret_in(js.unwrap(a), names, spelled)
            if found is not None:
                return found
        # a digest spelled out by its own methods (`Array.from(new Uint8Array(mac)).map(...).join("")`,
        # `hmac.update(body).digest("hex")`); not what a client made with the key answers
        method = callee.child("property") if callee.type == "member_expression" else None
        if method is not None and _DIGEST_METHODS.match(method.text or ""):
            return _secret_in(js.unwrap(callee.child("object")), names, spelled)
        return None
    if n.type == "new_expression":
        made = js.callee(n)
        if made is not None and _BYTES.match(made.text or ""):  # `new Uint8Array(mac)`: the same bytes
            for a in js.call_args(n):
                found = _secret_in(js.unwrap(a), names, spelled)
                if found is not None:
                    return found
        return None
    if n.type == "non_null_expression" and n.children:
        n = js.unwrap(n.children[0])
        if n is None:
            return None
    if n.type == "identifier":
        return names.get(n.text or "")
    if n.type == "member_expression":
        return spelled.get(id(n))
    if n.type == "template_string":
        for sub in n.children:
            if sub.type == "template_substitution":
                for c in sub.children:
                    found = _secret_in(js.unwrap(c), names, spelled)
                    if found is not None:
                        return found
    return None


def _public_filter(r: Reached, flags: re.Pattern | None = None) -> tuple[FileFacts, Node] | None:
    """`q.eq("status", "published")`, `doc.visibility !== "public"`, `!page.published`,
    `docs.filter((d) => d.isPublic)`, `toPublicPlayer(doc)`: a query that only hands out
    records marked public (or only their public projection) is public by design (a blog
    index, a catalogue); the data decides who may see it. With `flags`, only a test of a
    yes/no field named so (`_CATALOGUE_FLAG`, for catalogue tables)."""
    if flags is not None:
        for n in r.facts.module.nodes_in(r.func.node, "member_expression"):
            field = n.child("property")
            if field is not None and flags.match(field.text or "") and (_in_condition(n) or _in_filter_callback(n)):
                return r.facts, n
        return None
    # The first match in document order: each type's first, the earliest of them (the same
    # node a walk over the four types merged would stop at, without merging them per query).
    found = [n for n in (next(nodes, None) for nodes in _public_filter_walks(r)) if n is not None]
    if found:
        return r.facts, min(found, key=lambda n: (n.start, -n.end))
    return None


def _public_filter_nodes(r: Reached):
    """Every node `_public_filter` would accept in `r`'s function, type by type."""
    for nodes in _public_filter_walks(r):
        yield from nodes


def _public_filter_walks(r: Reached) -> list:
    nodes_in = r.facts.module.nodes_in
    within = r.func.node
    return [
        (n for n in nodes_in(within, "identifier") if _PUBLIC_PROJECTION.match(n.text or "")
         and not scope.is_type_context(n) and _projects(n)),  # `toPublicPlayer(doc)`, `docs.map(toPublicPlayer)`
        (n for n in nodes_in(within, "call_expression") if _public_eq(n)),
        (n for n in nodes_in(within, "binary_expression") if _public_comparison(n)),
        (n for n in nodes_in(within, "member_expression") if _public_flag_test(n) and not _callers_flag(r, n)),
    ]


def _public_narrowing(ch) -> Node | None:
    """The equality on a public-records field that keeps a database query to those records:
    in its index range (`q.eq("status", "published")`, unless the index is used on some paths
    only) or in a `.filter` of equalities joined by and (`q.eq(q.field("status"), "LIVE")`)."""
    ranges = [*((ch.range or []) if not ch.index_conditional else []), *(ch.search_range or [])]
    for op in ranges:
        if op.op == "eq" and _public_pair(op.field, op.value_node):
            return op.node
    for f in ch.filters:
        for field_name, _node, value in f.eqs or (f.bounded[0] if f.bounded else []):
            if _public_pair(field_name, value):
                return f.node
    return None


def _literal_or_argument(r: Reached, n: Node | None) -> bool:
    """Is `n` a literal or one of the handler's arguments: a value not read from any row?"""
    return n is not None and (js.literal_value(n) is not ... or handler_argument(r, js.unwrap(n)) is not None)


def _public_eq(call: Node) -> bool:
    """`q.eq("status", "published")`"""
    callee = js.callee(call)
    prop = callee.child("property") if callee is not None and callee.type == "member_expression" else None
    if prop is None or prop.text != "eq":
        return False
    args = js.call_args(call)
    return len(args) == 2 and _public_pair(js.string_value(args[0]), args[1])


def _public_comparison(n: Node) -> bool:
    """`doc.visibility !== "public"`"""
    if not any(n.has_tok(t) for t in _COMPARE):
        return False
    left, right = js.unwrap(n.child("left")), js.unwrap(n.child("right"))
    for a, b in ((left, right), (right, left)):
        if a is not None and a.type == "member_expression":
            field = a.child("property")
            if field is not None and _public_pair(field.text, b):
                return True
    return False


def _tests_other_field(facts: FileFacts, tests: list[Node], stmt: Node, found: "FailOpenOwnerTest") -> bool:
    """Does an `if` of `tests` other than `stmt` test a field of `found`'s row other than its
    owner field (`if (doc.teamId)`)?"""
    for other in tests:
        if other is stmt:
            continue
        for m in facts.module.nodes_in(other.child("condition"), "member_expression"):
            chain = js.member_chain(m)
            if chain is not None and len(chain[1]) == 1 and chain[1][0] != found.field \
                    and facts.text(chain[0]) == found.row:
                return True
    return False


def _callers_flag(r: Reached, n: Node) -> bool:
    """Is the flag tested one of the handler's arguments (`if (!args.isShared) return null`)?
    The caller sets it: it says nothing about the row."""
    return handler_argument(r, n) is not None


def _public_flag_test(n: Node) -> bool:
    """`!page.published` in a condition, `docs.filter((d) => d.isPublic)`"""
    field = n.child("property")
    return field is not None and _PUBLIC_FLAG.match(field.text or "") is not None \
        and (_in_condition(n) or _in_filter_callback(n))


_PUBLIC_PROJECTION = re.compile(r"^(to|as|make|get)?Public[A-Z]|^public[A-Z]")
# A row shared by link (`isSharedLink`, `shareable`) is public to whoever holds its id, as a
# published one is to everyone.
_PUBLIC_FLAG = re.compile(r"^(is)?(Public|Published|Visible|Listed|Live|Approved|Shared|SharedLink|Shareable|PublicLink)$"
                          r"|^(public|published|visible|listed|approved|shared|sharedLink|shareable|publicLink)$")
# Flags that make a catalogue's row public (an active plan, an enabled product), not a person's.
_CATALOGUE_FLAG = re.compile(r"^(is)?(Active|Enabled|Available)$|^(active|enabled|available)$")


def _in_filter_callback(n: Node) -> bool:
    """Is `n` what a `.filter`/`.find` callback returns, alone or in an `&&` chain
    (`plans.filter((p) => p.active)`): only rows where it holds are kept?"""
    o = js.outer(n)
    p = o.parent
    while p is not None and p.type == "binary_expression" and p.has_tok("&&"):
        o = js.outer(p)
        p = o.parent
    if p is None or p.type != "arrow_function" or o.field != "body":
        return False
    args = js.outer(p).parent
    call = args.parent if args is not None and args.type == "arguments" else None
    callee = js.callee(call) if call is not None and call.type == "call_expression" else None
    prop = callee.child("property") if callee is not None and callee.type == "member_expression" else None
    if prop is None or prop.text not in ("filter", "find"):
        return False
    after = js.outer(call).parent  # `all.filter((d) => d.isActive).length` counts them, hands out no row
    return not (after is not None and after.type == "member_expression" and (after.child("property") or call).text == "length")


def _projects(n: Node) -> bool:
    """Is identifier `n` a projection or filter applied to the data: called
    (`toPublicPlayer(doc)`), handed to a call (`docs.map(toPublicPlayer)`), or a set of public
    things rows are tested against (`publicOrgIds.has(p.orgId)`), or the very value returned
    (`return publicProducts`)? Not a local that merely counts public records (`const
    publicOrganizations = all.filter(...).length`)."""
    p = n.parent
    if p is None:
        return False
    if p.type == "call_expression" and n.field == "function":
        return True
    if p.type == "member_expression" and n.field == "object":  # `publicOrgIds.has(doc.orgId)`: a filter
        prop = p.child("property")
        return prop is not None and prop.text in ("has", "includes") and p.field == "function"
    if p.type == "return_statement":  # `return publicProducts`: what goes out is the public part
        return True
    return p.type == "arguments"


def _in_condition(n: Node) -> bool:
    o = js.outer(n)
    p = o.parent
    while p is not None and (p.type == "unary_expression" and p.has_tok("!") or p.type == "parenthesized_expression"):
        o, p = p, p.parent
    if p is None:
        return False
    if p.type in ("if_statement", "ternary_expression", "while_statement") and o.field == "condition":
        return True
    return p.type == "binary_expression" and (p.has_tok("&&") or p.has_tok("||"))


def _public_pair(field: str | None, value: Node | None) -> bool:
    if field is None or not _PUBLIC_FIELD.match(field):
        return False
    v = js.literal_value(value)
    if v is ...:  # an enum member or a constant: `PostStatus.Published`, `PUBLISHED`
        n = js.unwrap(value)
        if n is not None and n.type == "member_expression" and n.child("property") is not None:
            v = n.child("property").text
        elif n is not None and n.type == "identifier":
            v = n.text
    if v is True or v is False:
        return field.lower() not in ("status", "visibility", "state")
    return isinstance(v, str) and v.lower() in _PUBLIC_VALUE


def result_used(call: Node) -> bool:
    """Is the value of `call` (awaited or not) acted on: checked, compared, passed on,
    returned, or dereferenced (which throws when it is null)? Reading it only through `?.`
    or defaulting it with `??` (`identity?.name ?? "guest"`) does not count, unless what
    `?.` reads is itself checked (`const email = identity?.email; if (!email) return []`):
    a null identity reaches that check as undefined."""
    return _value_acted_on(_value_of(call), _used)


def _awaited_value(call: Node) -> bool:
    """Is the value of `call` awaited where it is made (`await f()`, `(await f())!`)?"""
    n = js.outer(call)
    p = n.parent
    while p is not None and p.type in ("await_expression", "parenthesized_expression", "as_expression",
                                       "satisfies_expression", "non_null_expression"):
        if p.type == "await_expression":
            return True
        n, p = p, p.parent
    return False


def _promise_test(read: Node) -> bool:
    """Is `read` only tested for truth or null (`!p`, `if (p)`, `p === null`, `p && ...`)? For
    a promise such a test always comes out the same: a promise is an object, never null."""
    if _null_test(read):
        return True
    o = js.outer(read)
    p = o.parent
    if p is not None and p.type == "while_statement" and o.field == "condition":
        return True
    return p is not None and p.type == "binary_expression" and (p.has_tok("&&") or p.has_tok("||"))


def promise_lost(call: Node) -> bool:
    """Is the promise `call` returns (not awaited where it is made) dropped, or only tested
    (`if (!canEdit(ctx, id)) throw`)? Then whatever it resolves to, or throws, stops no one."""
    if _awaited_value(call):
        return False
    value = _value_of(call)
    if value.parent is not None and value.parent.type == "expression_statement":
        return True
    reads = _reads_of_value(value)
    return bool(reads) and all(_promise_test(read) for read in reads)


def _branch_may_stop(branch: Node | None) -> bool:
    """Can this branch stop its function: it throws, returns, leaves a loop, or calls
    something (which may throw) other than `console.*`? `new Error(...)` without `throw` does not."""
    if branch is None:
        return True  # unreadable (a parse error): do not claim it goes on
    owner = js.enclosing_function(branch)
    for n in branch.walk():
        if n.type in ("throw_statement", "return_statement", "break_statement", "continue_statement",
                      "call_expression") and js.enclosing_function(n) is owner:
            if n.type != "call_expression":
                return True
            chain = js.member_chain(js.callee(n))
            if chain is None or not (chain[0].type == "identifier" and chain[0].text == "console"):
                return True
    return False


def futile_null_test(facts: FileFacts, call: Node, what: str, nullable_only: bool) -> str | None:
    """Why the value of a call that fetches the caller, though read, stops no signed-out
    caller: every read that would count is a test that cannot stop one. The promise of a call
    not awaited is never null (`const identity = ctx.auth.getUserIdentity(); if (!identity)
    throw` throws for no one); the branch of `if (!identity) new Error(...)` goes on; and,
    when the call resolves to null and never undefined (`nullable_only`: getUserIdentity,
    getAuthUserId), `identity === undefined` is never true. None when some read counts."""
    value = _value_of(call)
    reads = [read for read in _reads_of_value(value) if _used(read, 0)]
    if not reads:
        return None
    if not _awaited_value(call):
        if all(_promise_test(read) for read in reads):
            return (f"{what} is not awaited: it returns a Promise, which is never null, so testing it "
                    "stops no one; `await` it")
        return None
    reasons = [_futile_read(facts, read, nullable_only) for read in reads]
    return reasons[0] if all(reasons) else None


def _futile_read(facts: FileFacts, read: Node, nullable_only: bool) -> str | None:
    o = js.outer(read)
    p = o.parent
    if p is None:
        return None
    if nullable_only and p.type == "binary_expression" and (p.has_tok("===") or p.has_tok("!==")) \
            and js.is_undefined(p.child("right") if o.field == "left" else p.child("left")):
        return (f"`{facts.one_line(p, 60)}` tests for undefined, but a signed-out caller gets null, never "
                "undefined; test `=== null` (or `!`) instead")
    test = p if _null_test(read) and p.type in ("unary_expression", "binary_expression") else None
    if test is None or (p.type == "unary_expression" and not p.has_tok("!")):
        return None
    top = js.outer(test)
    stmt = top.parent
    if stmt is None or stmt.type != "if_statement" or top.field != "condition" \
            or _branch_may_stop(stmt.child("consequence")):
        return None
    return (f"the branch of `if ({facts.one_line(test, 60)})` does not stop the function (no `throw` or `return`), "
            "so a signed-out caller goes on")


def optional_read_checked(read: Node) -> bool:
    """`identity?.subject` (a read through `?.`) whose value is tested before use, directly or
    through the variable it initializes (`const userId = identity?.subject; if (!userId)
    throw ...`): a null identity is stopped there too."""
    return _value_acted_on(_value_of(read), _checked)


def _reads_of_value(n: Node) -> list[Node]:
    """The reads of the variable the value `n` initializes (or `n` itself)."""
    p = n.parent
    if p is not None and p.type == "variable_declarator" and n.field == "value":
        owner = js.enclosing_function(p)
        body = owner if owner is not None else _root(p)
        return [read for name in scope.bound_names(p) for read in scope.reads_of(body, name)]
    return [n]


def _value_acted_on(n: Node, acted_on, depth: int = 0) -> bool:
    """Does some read of the value `n` (directly, or through the variable it initializes)
    pass `acted_on`?"""
    p = n.parent
    if p is None or p.type == "expression_statement":
        return False
    if p.type == "variable_declarator" and n.field == "value":
        owner = js.enclosing_function(p)
        body = owner if owner is not None else _root(p)
        return any(acted_on(read, depth) for name in scope.bound_names(p) for read in scope.reads_of(body, name))
    return acted_on(n, depth)


def _used(read: Node, depth: int) -> bool:
    if _only_when_present(read) or _only_when_signed_in(read) or _only_a_flag(read):
        return False
    if _soft(read):
        o = js.outer(read)
        p = o.parent  # `x?.y`: null goes on as undefined; what matters is whether that is checked
        if p is not None and p.type == "member_expression" and o.field == "object" and depth < 4:
            return _value_acted_on(_value_of(p), _checked, depth + 1)
        return False
    return True


# array methods whose callback's answer only becomes a yes/no (`followers.some((f) => f.id === me)`)
_YES_NO_METHODS = frozenset(["some", "every", "includes"])
# nodes that only carry a test's value up: `!x`, `(x)`, `a === me && b`
_TEST_TOKENS = ("===", "!==", "==", "!=", "&&", "||")


def _only_a_flag(read: Node, depth: int = 0) -> bool:
    """Is this read of the caller's identity (or of a flag made from it) only turned into a
    value the function hands out, deciding nothing: `const isFollower = me !== null &&
    followers.some((f) => f.followerId === me)` that ends up in `{ ...user, isFollower }`?
    A signed-out caller gets `false` and everything else. A test that decides a `throw` or
    `return`, which rows are read (an index range, a `.filter`), or which of two values is
    returned (`f.ownerId === me ? f : summary`), is a check; so is a value passed to a call,
    stored, or returned by a helper (its caller may stop on it)."""
    n = js.outer(read)
    tested = False  # the value is no longer the identity itself, but a yes/no made from it
    while n.parent is not None:
        p = n.parent
        if p.type == "binary_expression" and any(p.has_tok(t) for t in _TEST_TOKENS) \
                or p.type == "unary_expression" and p.has_tok("!"):
            tested = True
        elif p.type == "parenthesized_expression":
            pass
        elif p.type == "ternary_expression" and n.field == "condition" and tested \
                and all(_literal_value(p.child(f)) for f in ("consequence", "alternative")):
            pass  # `me === null ? "guest" : "member"`: still only a label
        elif p.type in ("arrow_function", "return_statement") and tested:
            fn = p if p.type == "arrow_function" else js.enclosing_function(p)
            call = _yes_no_callback_of(fn)
            if call is None:
                return False  # a helper's or a filter's answer: its caller may act on it
            n = js.outer(call)
            continue
        elif p.type == "variable_declarator" and n.field == "value" and tested:
            owner = js.enclosing_function(p)
            names = scope.bound_names(p)
            if depth > 3 or len(names) != 1:
                return False
            return all(_only_a_flag(r, depth + 1) for r in scope.reads_of(owner or _root(p), names[0]))
        elif p.type in ("pair", "array", "spread_element", "template_substitution") and (tested or depth):
            return True  # written into what the function hands out (`{ ...user, isFollower }`)
        elif n.type == "shorthand_property_identifier" and depth:
            return True
        else:
            return False
        n = p
    return False


def _yes_no_callback_of(fn: Node | None) -> Node | None:
    """The `xs.some(...)`/`xs.every(...)` call that `fn` is the callback of, if any."""
    if fn is None:
        return None
    o = js.outer(fn)
    args = o.parent
    call = args.parent if args is not None and args.type == "arguments" else None
    if call is None or call.type != "call_expression":
        return None
    callee = js.callee(call)
    prop = callee.child("property") if callee is not None and callee.type == "member_expression" else None
    return call if prop is not None and prop.text in _YES_NO_METHODS else None


def _literal_value(n: Node | None) -> bool:
    n = js.unwrap(n) if n is not None else None
    return n is not None and (n.type in ("string", "number", "true", "false", "null", "template_string")
                              and not any(c.type == "template_substitution" for c in n.walk())
                              or js.is_undefined(n))


def _forwards_input(r: Reached, site: CallSite, argument: str | None) -> bool:
    """Does the `ctx.run*(ref, { ... })` call at `site` pass on, as `argument` (any one when
    None), a value that comes from the calling function's own inputs: its arguments or the
    HTTP request, directly or through a local `const`? Then the secret it carries is one the
    outer caller had to know."""
    args = js.call_args(site.node)
    obj = js.unwrap(args[1]) if len(args) > 1 else None
    if obj is None or obj.type != "object":
        return False
    for prop in js.object_props(obj):
        if prop.spread or (argument is not None and prop.key != argument):
            continue
        if prop.value is not None and _from_input(r.facts, r.func, prop.value, 0):
            return True
    return False


def _whole_arguments(facts: FileFacts, n: Node) -> bool:
    """Is `n` the handler's arguments object itself (`args`, not `args.code`)?"""
    ref = facts.ref_of(n) if n.type == "identifier" else None
    return ref is not None and ref.kind == "param" and ref.index == 1 and not ref.path


def _run_field_argument(r: Reached, site: CallSite, key: str) -> str | None:
    """The calling function's argument that field `key` of the `ctx.run*(ref, { ... })` call
    at `site` holds (`{ code: args.discountCode }`: `discountCode`), if it holds one."""
    args = js.call_args(site.node)
    obj = js.unwrap(args[1]) if len(args) > 1 else None
    prop = next((p for p in js.object_props(obj) if not p.spread and p.key == key), None) \
        if obj is not None and obj.type == "object" else None
    return _argument_in(r, prop.value) if prop is not None and prop.value is not None else None


def _from_input(facts: FileFacts, func, node: Node, depth: int) -> bool:
    if depth > 4:
        return False
    for n in node.walk():
        if n.type not in ("identifier", "shorthand_property_identifier"):
            continue
        ref = facts.ref_of(n)
        if ref is None:
            continue
        if ref.kind == "param" and ref.func is func and ref.index >= 1:
            return True
        if ref.kind == "local":
            init = local_value(facts, n)  # (`let body; try { body = await req.json() } catch ...`)
            if init is not None and not _answered_by_ctx(facts, func, init) and _from_input(facts, func, init, depth + 1):
                return True
    return False


def _answered_by_ctx(facts: FileFacts, func, value: Node) -> bool:
    """Is `value` what a call on `func`'s ctx gives back (`await ctx.runMutation(api.sessions.open,
    { orgId: args.orgId })`, `await ctx.db.insert(...)`)? The app's own value (a session it just
    made), not the input it was given."""
    value = js.unwrap(value)
    if value is not None and value.type == "await_expression" and value.children:
        value = js.unwrap(value.children[0])
    chain = js.member_chain(js.callee(value)) if value is not None and value.type == "call_expression" else None
    ref = facts.ref_of(chain[0]) if chain is not None and chain[0].type == "identifier" else None
    return ref is not None and ref.kind == "param" and ref.func is func and ref.index == 0 and not ref.path


_STOP_CLIMB = frozenset(["expression_statement", "if_statement", "lexical_declaration", "variable_declaration",
                         "return_statement", "statement_block", *js.FUNCTION_TYPES])


def _only_when_present(read: Node) -> bool:
    """`if (identity && identity.subject !== args.id) throw ...`, `if (userId && doc.userId &&
    doc.userId !== userId) throw ...`, `if (identity) throw ...` (a check that keeps signed-in
    callers out: visitors only): a read in the condition of an `if` that exits, one of
    whose `&&` terms tests that the value is present: a null identity makes the condition
    false, so an anonymous caller goes on past the check."""
    cond = _exiting_condition(read)
    return cond is not None and any(_tests_presence(term, read.text) if read.type == "identifier"
                                    else read.start <= term.start and term.end <= read.end  # `if (await f())`
                                    for term in _terms(cond, "&&")) and not _grants_owner(cond)


def _if_testing(n: Node) -> Node | None:
    """The `if` statement whose condition holds `n` (outside any function in it), or None."""
    while n.parent is not None and n.parent.type not in _STOP_CLIMB:
        n = n.parent
    stmt = n.parent
    return stmt if stmt is not None and stmt.type == "if_statement" and n.field == "condition" else None


def _exiting_condition(n: Node) -> Node | None:
    """The condition (as written, unwrapped) of the `if` whose condition holds `n`, when its
    branch always exits; None otherwise."""
    stmt = _if_testing(n)
    cond = js.unwrap(stmt.child("condition")) if stmt is not None else None
    return cond if cond is not None and _exits_when_true(cond) else None


def _terms(cond: Node | None, op: str) -> list[Node]:
    """The terms of an `op` chain (`a && b && c` for "&&", however grouped), unwrapped; `[cond]`
    for any other expression."""
    cond = js.unwrap(cond)
    if cond is not None and cond.type == "binary_expression" and cond.has_tok(op):
        return _terms(cond.child("left"), op) + _terms(cond.child("right"), op)
    return [cond] if cond is not None else []


def _grants_owner(cond: Node) -> bool:
    """`if (me && fleet.userId === me._id) return { ...fleet, ships }`: a condition with no
    negation whose branch returns more data (never throws, never returns a bare literal). A
    signed-out caller goes on to what everyone else gets: an ownership compare that decides
    what is returned, not a refusal it skips."""
    if any(t.type in ("unary_expression", "binary_expression") and (t.has_tok("!") or t.has_tok("!==")
                                                                    or t.has_tok("!=") or t.has_tok("||"))
           for t in cond.walk()):
        return False
    stmt = js.outer(cond).parent
    branch = stmt.child("consequence") if stmt is not None else None
    if branch is None:
        return False
    owner = js.enclosing_function(stmt)
    returns = [t for t in branch.walk() if t.type in ("return_statement", "throw_statement")
               and js.enclosing_function(t) is owner]
    for t in returns:
        value = js.unwrap(t.children[0]) if t.type == "return_statement" and t.children else None
        if t.type == "throw_statement" or value is None or _literal_value(value):
            return False
    return bool(returns)


def _only_when_signed_in(read: Node, _depth: int = 0) -> bool:
    """`if (identity) { ...; if (board.owner !== identity.subject) throw ... }` followed by
    more work: a read in the test of presence, or in the block it guards, of an `if` with no
    `else` whose block checks (throws) but does not always exit. A signed-out caller skips the
    block, check and all, and goes on to what follows (fail-open). A read in a callback the
    block passes on (`.withIndex("by_userId", (q) => q.eq("userId", userId))`, the lookup of
    the caller's profile whose role is then checked) runs only when the block does: the climb
    goes on through it."""
    n = read
    while n.parent is not None and (n.type not in js.FUNCTION_TYPES or n.parent.type == "arguments"):
        p = n.parent
        if p.type == "if_statement" and n.field in ("condition", "consequence") and p.child("alternative") is None \
                and _tests_presence(js.unwrap(p.child("condition")), read.text) and _fails_open(p):
            return True
        n = p
    return False


# methods that change the value they are called on, or a table (through a ctx renamed out of
# sight): a block that calls one leaves more behind than the values it assigns
_CHANGING_METHODS = _MUTATING_METHODS | {"delete", "clear", "sort", "reverse", "fill", "insert", "patch", "replace"}


def _only_for_extras(read: Node) -> bool:
    """`if (userId) { const apps = await ctx.db.query(...).collect(); mine = apps.find((a) =>
    a.by === userId) ?? null; }` and then `return { request, mine }`: a read in the test of
    presence, or in the block it guards, of an `if` with no `else` whose block only reads
    and fills values that are handed out (`_extras_block`). A signed-out caller skips the
    block and gets everything else: the identity adds extras, it decides nothing. A block
    that throws, returns, calls a helper (which may throw) or fills a value that is later
    tested (`isOwner ? full : summary`) is not one."""
    n = read
    while n.parent is not None and (n.type not in js.FUNCTION_TYPES or n.parent.type == "arguments"):
        p = n.parent
        if p.type == "arguments" and p.parent is not None and _database_call(p.parent, _ctx_name(read)):
            return False  # `.withIndex("by_user", (q) => q.eq("user", me))`: it picks the caller's own rows
        if p.type == "if_statement" and n.field in ("condition", "consequence") and p.child("alternative") is None \
                and _tests_presence(js.unwrap(p.child("condition")), read.text):
            return _extras_block(p)
        n = p
    return False


def _ctx_name(n: Node) -> str:
    """The name of the handler's first parameter (`ctx`, or `context`), for a node in it or
    in a callback it passes on."""
    fn = js.enclosing_function(n)
    while fn is not None and js.outer(fn).parent is not None and js.outer(fn).parent.type == "arguments" \
            and js.enclosing_function(fn) is not None:
        fn = js.enclosing_function(fn)
    params = js.function_params(fn) if fn is not None else []
    first = js.param_pattern(params[0]) if params else None
    return first.text if first is not None and first.type == "identifier" and first.text else "ctx"


def _database_call(call: Node, ctx_name: str) -> bool:
    """`ctx.db.query("t")`, or a call chained on one (`.withIndex(...)`, `.filter(...)`)."""
    chain = js.member_chain(js.callee(call)) if call.type == "call_expression" else None
    if chain is None or not chain[1]:
        return False
    root, props = chain
    if root.type == "call_expression":
        return _database_call(root, ctx_name)
    return root.type == "identifier" and root.text == ctx_name and props[0] == "db"


def _extras_block(stmt: Node) -> bool:
    """Does the block of this `if` only read the database and set variables declared before
    it, each of which is then only handed out (`{ listing, mine }`), never tested?"""
    block = stmt.child("consequence")
    owner = js.enclosing_function(stmt)
    if block is None or owner is None:
        return False
    assigned: set[str] = set()
    ctx_name = _ctx_name(stmt)
    for n in block.walk():
        inner = js.enclosing_function(n) is owner
        if n.type in ("throw_statement", "return_statement", "break_statement", "continue_statement") and inner:
            return False
        if n.type in ("assignment_expression", "augmented_assignment_expression", "update_expression") and inner:
            target = js.unwrap(n.child("left") if n.type != "update_expression" else n.children[0])
            if target is None or target.type != "identifier":
                return False  # `profile.extra = ...`: changes a value from outside the block
            assigned.add(target.text or "")
        if n.type == "call_expression" and not _reading_call(n, ctx_name):
            return False
    if not assigned:
        return False
    for name in assigned:
        reads = [r for r in scope.reads_of(owner, name) if not block.start <= r.start < block.end and not js.is_written(r)]
        if not all(_only_a_flag(r, 1) for r in reads):
            return False
    return True


def _reading_call(call: Node, ctx_name: str) -> bool:
    """A call that only reads: `ctx.db` reads, and methods of values that are not changed
    by them (`apps.find(...)`, `q.eq(...)`). A plain call (`await assertMember(ctx, id)`)
    may throw: a check the block runs for a signed-in caller only."""
    chain = js.member_chain(js.callee(call))
    if chain is None:
        return False
    root, props = chain
    if not props:
        return False
    if root.type == "identifier" and root.text == ctx_name:
        return len(props) >= 2 and props[0] == "db" and props[1] in ("get", "query")
    if root.type == "call_expression":  # `ctx.db.query(...).withIndex(...).collect()`
        return _reading_call(root, ctx_name)
    if props[-1] in _CHANGING_METHODS:
        return False
    return root.type == "identifier"


def _signed_in_test(call: Node) -> str | None:
    """The name whose presence a fail-open `if` tests (`identity` of `if (identity) {...}`, or
    of `if (identity && ...) throw`), when some read of the value of `call` sits in one (see
    `_only_when_signed_in`, `_only_when_present`)."""
    found = [read.text or "" for read in _reads_of_value(_value_of(call))
             if _only_when_signed_in(read) or _only_when_present(read)]
    return found[0] if found else None


def _tests_presence(cond: Node | None, name: str | None) -> bool:
    """`x`, `!!x`, `x !== null`, `x != undefined`: true when `x` holds a value."""
    if cond is None or name is None:
        return False
    if cond.type == "identifier":
        return cond.text == name
    if cond.type == "unary_expression" and cond.has_tok("!") and cond.children:
        inner = js.unwrap(cond.children[0])
        return inner is not None and inner.type == "unary_expression" and inner.has_tok("!") and bool(inner.children) \
            and _tests_presence(js.unwrap(inner.children[0]), name)
    if cond.type == "binary_expression" and (cond.has_tok("!==") or cond.has_tok("!=")):
        left, right = js.unwrap(cond.child("left")), js.unwrap(cond.child("right"))
        for a, b in ((left, right), (right, left)):
            if a is not None and a.type == "identifier" and a.text == name and _is_nullish(b):
                return True
    return False


def _fails_open(stmt: Node) -> bool:
    """Does this `if` guard a check (its block throws somewhere, but not always) and is it
    followed by more calls in its block, which a caller who skips it still reaches?"""
    block = stmt.child("consequence")
    if block is None or js.always_exits(block):
        return False
    owner = js.enclosing_function(stmt)
    if not any(js.enclosing_function(t) is owner for t in block.walk() if t.type == "throw_statement"):
        return False
    parent = stmt.parent
    if parent is None or parent.type != "statement_block":
        return False
    after = [c for c in parent.children if c.start >= stmt.end]
    return any(c.type == "call_expression" for a in after for c in a.walk())


def _checked(read: Node, depth: int) -> bool:
    """A read of a value derived through `?.` that stops on undefined: a test of it (`!x`,
    `if (x)`, `x && ...`, `x === undefined`) or a plain dereference (which throws). Passing it
    on, or comparing it with a value (`role === "admin" ? role : "user"`), does not count."""
    o = js.outer(read)
    p = o.parent
    if p is None:
        return False
    if p.type == "binary_expression" and p.has_tok("??") and o.field == "left":
        o = js.outer(p)  # `identity?.email ?? ""`: only a membership test can still check it
        p = o.parent
        return p is not None and p.type == "arguments" and _membership_guard(p.parent)
    if p.type == "arguments":
        return _membership_guard(p.parent)
    if p.type == "member_expression" and o.field == "object":
        if p.first("optional_chain") is None:
            return True
        return depth < 4 and _value_acted_on(_value_of(p), _checked, depth + 1)
    if p.type == "call_expression" and o.field == "function":  # `identity?.email?.endsWith(d)`
        return depth < 4 and _value_acted_on(_value_of(p), _checked, depth + 1)
    if p.type == "unary_expression" and p.has_tok("!"):
        return True
    if p.type in ("if_statement", "while_statement", "ternary_expression") and o.field == "condition":
        return True
    if p.type != "binary_expression":
        return False
    if p.has_tok("&&") or p.has_tok("||"):
        return True
    if any(p.has_tok(t) for t in _EQUALITY):
        other = js.unwrap(p.child("right") if o.field == "left" else p.child("left"))
        if other is not None and (other.type in ("undefined", "null") or
                                  (other.type == "identifier" and other.text == "undefined")):
            return True
        # `if (identity?.email !== ADMIN) throw ...`: undefined differs from the value too
        return (p.has_tok("!==") or p.has_tok("!=")) and _exits_when_true(p)
    return False


def _membership_guard(call: Node | None) -> bool:
    """`if (!ADMINS.includes(identity?.email ?? "")) throw ...`: a list or set of allowed
    callers that the value must be in, or the branch exits (undefined and "" are in none)."""
    if call is None or call.type != "call_expression":
        return False
    callee = js.callee(call)
    prop = callee.child("property") if callee is not None and callee.type == "member_expression" else None
    if prop is None or prop.text not in ("includes", "has"):
        return False
    o = js.outer(call)
    p = o.parent
    return p is not None and p.type == "unary_expression" and p.has_tok("!") and _exits_when_true(p)


def _exits_when_true(cond: Node) -> bool:
    """Is `cond` the condition of an `if` whose branch throws or returns?"""
    o = js.outer(cond)
    stmt = o.parent
    if stmt is None or stmt.type != "if_statement" or o.field != "condition":
        return False
    return js.always_exits(stmt.child("consequence"))


def _value_of(call: Node) -> Node:
    n = js.outer(call)
    p = n.parent
    while p is not None and p.type in ("await_expression", "parenthesized_expression", "as_expression",
                                       "satisfies_expression"):
        n, p = p, p.parent
    return n


def _soft(read: Node) -> bool:
    """A read that neither checks the value nor fails on null: `x?.y`, `x ?? d`, `void x`."""
    n = js.outer(read)
    p = n.parent
    if p is None:
        return True
    if p.type == "member_expression" and n.field == "object":
        return p.first("optional_chain") is not None
    if p.type == "binary_expression" and p.has_tok("??") and n.field == "left":
        return True
    if p.type == "expression_statement":
        return True
    return False


def _root(n: Node) -> Node:
    while n.parent is not None:
        n = n.parent
    return n


def marked_public(fn: "RegisteredFunction") -> bool:
    """`// cvxlint-public` in the comments right above the registration (or on its first line)."""
    facts = fn.facts
    marks = [c for c in facts.module.comments if "cvxlint-public" in c.text]
    if not marks:  # the usual case: no need to place the registration among the statements
        return False
    stmt = js.statement_of(fn.call)
    if stmt.parent is not None and stmt.parent.type == "export_statement":
        stmt = stmt.parent
    first_line = facts.module.line_of(stmt.start)
    prev_end = 0
    for c in facts.module.root.children:
        if c.end <= stmt.start and c is not stmt:
            prev_end = max(prev_end, c.end)
    for c in marks:
        if prev_end <= c.start and c.end <= stmt.start:
            return True
        if facts.module.line_of(c.start) == first_line:
            return True
    return False


# The names an OAuth callback's `state` may carry that say whose account the tokens are for
_STATE_IDENTITY_KEY = re.compile(r"(user|org|organi[sz]ation|team|account|workspace|tenant|owner|member|customer)_?id$"
                                 r"|^(uid|sub|email)$", re.I)
# a field of a lookup that hands the `state` (or its one-time nonce) back to the app's store
_STATE_LOOKUP_KEY = re.compile(r"^(state|nonce|csrf\w*|oauth_?state)$", re.I)


def _is_state_param_read(facts: FileFacts, n: Node | None, depth: int = 3) -> bool:
    """Is `n`, or something inside it, the OAuth `state` query parameter
    (`url.searchParams.get("state")`, Hono's `c.req.query("state")`), directly or through a
    local const (`const state = url.searchParams.get("state")`)?"""
    if n is None or depth < 0:
        return False
    for m in n.walk():
        if m.type == "call_expression":
            callee = js.unwrap(js.callee(m))
            args = js.call_args(m)
            if callee is not None and callee.type == "member_expression" and args and \
                    js.string_value(args[0]) == "state":
                prop = callee.child("property")
                obj = js.unwrap(callee.child("object"))
                last = obj.child("property") if obj is not None and obj.type == "member_expression" else obj
                if prop is not None and (prop.text, last.text if last is not None else None) in \
                        (("get", "searchParams"), ("query", "req")):
                    return True
        elif m.type == "identifier":
            init = local_const(facts, m)
            if init is not None and _is_state_param_read(facts, init, depth - 1):
                return True
    return False


def identity_from_oauth_state(facts: FileFacts, func: FunctionInfo) -> Node | None:
    """The `JSON.parse(...)` in `func` that decodes the OAuth `state` query parameter
    (`JSON.parse(atob(state))`, `JSON.parse(decodeURIComponent(state))`,
    `JSON.parse(Buffer.from(state, "base64").toString())`) into whose account it is for (a
    `userId`, `orgId` field, destructured or read off the result), or None. Such a `state` is
    written by whoever builds the consent URL: unless the app signs it or keeps it to look it up,
    the callback links the tokens of whoever consents to the account the URL's author chose."""
    for site in func.all_calls():
        if site.path != ("JSON", "parse"):
            continue
        args = js.call_args(site.node)
        if not args or not _is_state_param_read(facts, args[0]):
            continue
        holder = js.outer(site.node)
        if holder.parent is not None and holder.parent.type == "await_expression":
            holder = js.outer(holder.parent)
        decl = holder.parent
        if decl is not None and decl.type == "variable_declarator" and holder.field == "value":
            pat = decl.child("name")
        elif decl is not None and decl.type == "assignment_expression" and holder.field == "right":
            pat = js.unwrap(decl.child("left"))  # `let data; try { data = JSON.parse(atob(state)) } catch ...`
        else:
            continue
        if pat is None:
            continue
        if pat.type == "object_pattern":
            keys = [k.text for k in pat.walk()
                    if k.type in ("shorthand_property_identifier_pattern", "property_identifier")]
            if any(_STATE_IDENTITY_KEY.search(k or "") for k in keys):
                return site.node
        elif pat.type == "identifier" and func.body is not None:
            text = facts.text(func.body)
            fields = re.findall(rf"\b{re.escape(pat.text or '')}\??\.(\w+)", text)
            if any(_STATE_IDENTITY_KEY.search(f) for f in fields):
                return site.node
    return None


def looks_up_oauth_state(facts: FileFacts, func: FunctionInfo) -> bool:
    """Does `func` hand the OAuth `state` (or its nonce) to a `ctx.runQuery` and stop when
    nothing is found (`if (!pending) return 400`)? The app then knows the state it issued."""
    for site in func.all_calls():
        if site.path[-1:] != ("runQuery",):
            continue
        args = js.call_args(site.node)
        passed = js.unwrap(args[1]) if len(args) > 1 else None
        if passed is None or passed.type != "object":
            continue
        if any(f.key is not None and _STATE_LOOKUP_KEY.match(f.key) or
               f.value is not None and _is_state_param_read(facts, f.value) for f in js.object_props(passed)) \
                and stops_on_null_at(site.node):
            return True
    return False
