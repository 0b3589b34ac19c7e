from cvxlint.rulekit import Invalid, Rule, Severity, Valid, describe_function, reported_functions

HEAD = 'import { v } from "convex/values";\nimport { mutation } from "./_generated/server";\n'
# schools (`orgs`) own students; a guard admits a caller who belongs to the org it is given
SCHOOLS = {"convex/schema.ts": 'import { defineSchema, defineTable } from "convex/server";\n'
           'import { v } from "convex/values";\n'
           'export default defineSchema({\n'
           '  users: defineTable({ subject: v.string(), orgId: v.optional(v.id("orgs")) }).index("by_subject", ["subject"]),\n'
           '  orgs: defineTable({ name: v.string(), alumni: v.optional(v.array(v.id("graduates"))) }),\n'
           '  students: defineTable({ orgId: v.id("orgs"), status: v.string() }).index("by_org", ["orgId"]),\n'
           '  graduates: defineTable({ name: v.string(), year: v.number() }),\n'
           '  notices: defineTable({ text: v.string() }),\n'
           '  rooms: defineTable({ orgId: v.string(), label: v.string() }),\n'
           '});\n',
           "convex/access.ts": 'import type { MutationCtx } from "./_generated/server";\n'
           'import type { Id } from "./_generated/dataModel";\n'
           'export async function memberOf(ctx: MutationCtx, orgId: Id<"orgs">) {\n'
           '  const who = await ctx.auth.getUserIdentity();\n  if (!who) throw new Error("sign in");\n'
           '  const me = await ctx.db.query("users").withIndex("by_subject", (q) => q.eq("subject", who.subject)).unique();\n'
           '  if (!me || me.orgId !== orgId) throw new Error("not in this school");\n  return me;\n}\n'
           'export async function inClerkOrg(ctx: MutationCtx, orgId: string) {\n'
           '  const who = await ctx.auth.getUserIdentity();\n'
           '  if (!who || who.org_id !== orgId) throw new Error("not in this organization");\n}\n'
           'export async function studentOf(ctx: MutationCtx, orgId: Id<"orgs">, studentId: Id<"students">) {\n'
           '  await memberOf(ctx, orgId);\n  const s = await ctx.db.get(studentId);\n'
           '  if (!s || s.orgId !== orgId) throw new Error("not a student of this school");\n  return s;\n}\n'}
GUARDS = 'import { memberOf, inClerkOrg, studentOf } from "./access";\n'


def _approve(body: str, args: str = 'orgId: v.id("orgs"), studentId: v.id("students")') -> str:
    """A mutation of the school's staff that runs `body` on its arguments."""
    return (HEAD + GUARDS + 'export const approve = mutation({\n'
            f'  args: {{ {args} }},\n  handler: async (ctx, args) => {{\n' + body + '  },\n});\n')


class NoCrossTenantWrite(Rule):
    """Public mutation checks the caller against one tenant id, then writes a document of any tenant by a second id.

    ## What it does
    Flags a `ctx.db.patch`, `replace` or `delete` in the handler of a public mutation that
    hands a tenant id argument (`orgId`, `organizationId`, `teamId`, `workspaceId`,
    `enterpriseId`, `tenantId`, `companyId`) to an auth guard (`await requireOrgAccess(ctx,
    args.orgId)`) and then writes a document named by another id argument
    (`args.studentId`), when the schema says that document belongs to a tenant and nothing
    in the handler ties it to the tenant checked. The document belongs to a tenant when its
    table has a field holding the tenant's id (`students.orgId: v.id("orgs")` for an
    argument `orgId: v.id("orgs")`; a field of the argument's name when the tenant id is a
    string, such as a Clerk organization id), or when the tenant's table lists its ids
    (`enterprises.students: v.array(v.id("students"))`).

    It is the narrow, certain case of CVX408 (opt-in), and shares its analysis: these tie the
    document to the tenant, and keep the write silent:
    - a comparison of the document with the tenant id (`const s = await ctx.db.get(args.studentId);
      if (s?.orgId !== args.orgId) throw ...`);
    - the guard given the document's own tenant (`await requireOrgAccess(ctx, s.orgId)`);
    - a helper given both ids that checks the caller (`await requireStudentOf(ctx, args.orgId,
      args.studentId)`);
    - a lookup that finds the document through the tenant (`.withIndex("by_org", (q) =>
      q.eq("orgId", args.orgId))` with the second id in its filter), and what else CVX408 reads.
    A write of a table without a tenant field, or of the tenant's own document
    (`ctx.db.patch(args.orgId, ...)`), is not this rule's (CVX408 covers the general case).
    When CVX408 is enabled as well, such a write is reported by this rule only.

    ## Why is this bad?
    The guard proves that the caller belongs to the tenant they name, and says nothing about
    the document: Convex ids are not secrets, so an admin of school A passes A's id with the
    id of a student of school B and changes B's data (an insecure direct object reference
    across tenants). Convex's guidance is to check the caller's right to the specific
    document in every public function
    (https://docs.convex.dev/understanding/best-practices/#use-some-form-of-access-control-for-all-public-functions).

    ## Example
    ```ts
    export const approve = mutation({
      args: { orgId: v.id("orgs"), studentId: v.id("students") },
      handler: async (ctx, args) => {
        await requireOrgAccess(ctx, args.orgId);
        await ctx.db.patch(args.studentId, { status: "approved" });
      },
    });
    ```
    Use instead: check that the document belongs to the tenant checked (or check the tenant
    the document names):
    ```ts
        await requireOrgAccess(ctx, args.orgId);
        const student = await ctx.db.get(args.studentId);
        if (student?.orgId !== args.orgId) throw new Error("not a student of this organization");
        await ctx.db.patch(args.studentId, { status: "approved" });
    ```

    ## Fix safety
    No fix: which tenant the document must belong to is the app's decision.

    ## Notes
    Added after triage G60c (MentoLoop's `approveEnterpriseStudent`, found by CVX408 only,
    which is off by default).
    """

    code = "CVX412"
    name = "no-cross-tenant-write"
    severity = Severity.WARNING
    summary = "Public mutation checks the caller's tenant id, then writes another tenant's document by a second id"
    fix_availability = "none"

    valid = [
        Valid(_approve('    await memberOf(ctx, args.orgId);\n'
                       '    const s = await ctx.db.get(args.studentId);\n'
                       '    if (s?.orgId !== args.orgId) throw new Error("not a student of this school");\n'
                       '    await ctx.db.patch(args.studentId, { status: "approved" });\n'),
              files=SCHOOLS, note="the document's tenant compared with the tenant checked"),
        Valid(_approve('    const s = await ctx.db.get(args.studentId);\n    if (!s) throw new Error("no such student");\n'
                       '    await memberOf(ctx, s.orgId);\n'
                       '    await ctx.db.patch(s._id, { status: "approved" });\n'),
              files=SCHOOLS, note="the guard given the document's own tenant"),
        Valid(_approve('    await studentOf(ctx, args.orgId, args.studentId);\n'
                       '    await ctx.db.patch(args.studentId, { status: "approved" });\n'),
              files=SCHOOLS, note="a helper given both ids that checks them"),
        Valid(_approve('    await memberOf(ctx, args.orgId);\n'
                       '    const s = await ctx.db.query("students").withIndex("by_org", (q) => q.eq("orgId", args.orgId))\n'
                       '      .filter((q) => q.eq(q.field("_id"), args.studentId)).unique();\n'
                       '    if (s === null) throw new Error("not a student of this school");\n'
                       '    await ctx.db.patch(args.studentId, { status: "approved" });\n'),
              files=SCHOOLS, note="the document looked up through the tenant"),
        Valid(_approve('    await memberOf(ctx, args.orgId);\n    await ctx.db.delete(args.noticeId);\n',
                       args='orgId: v.id("orgs"), noticeId: v.id("notices")'),
              files=SCHOOLS, note="a table without a tenant field: CVX408's general case"),
        Valid(_approve('    await memberOf(ctx, args.orgId);\n    await ctx.db.patch(args.orgId, { name: args.name });\n',
                       args='orgId: v.id("orgs"), name: v.string()'),
              files=SCHOOLS, note="the tenant's own document, the one the guard checked"),
        Valid(_approve('    const who = await ctx.auth.getUserIdentity();\n    if (!who) throw new Error("sign in");\n'
                       '    await ctx.db.patch(args.studentId, { status: "approved" });\n'),
              files=SCHOOLS, note="no tenant id given to a guard: CVX408's general case"),
    ]
    invalid = [
        # triage G60c MentoLoop enterpriseManagement:approveEnterpriseStudent, with the tenant field
        # on the student
        Invalid(_approve('    await memberOf(ctx, args.orgId);\n'
                         '    await ctx.db.patch("students", args.studentId, { status: "approved" });\n'),
                files=SCHOOLS, lines=[8],
                message="admits the caller to the tenant `orgId`, then patches the `students` document whose id is "
                "the argument `studentId`"),
        # only that the student exists is checked
        Invalid(_approve('    await memberOf(ctx, args.orgId);\n    const s = await ctx.db.get(args.studentId);\n'
                         '    if (!s) throw new Error("no such student");\n    await ctx.db.delete(s._id);\n'),
                files=SCHOOLS, lines=[10], message="deletes the `students` document"),
        # ... and, as in MentoLoop, the tenant's table lists the rows it owns
        Invalid(_approve('    await memberOf(ctx, args.orgId);\n'
                         '    await ctx.db.patch(args.graduateId, { year: 2030 });\n',
                         args='orgId: v.id("orgs"), graduateId: v.id("graduates")'),
                files=SCHOOLS, lines=[8], message="the `graduates` document"),
        # a Clerk organization id (a string) held in a field of the same name
        Invalid(HEAD + GUARDS + 'export const close = mutation({\n'
                '  args: { orgId: v.string(), roomId: v.id("rooms") },\n  handler: async (ctx, { orgId, roomId }) => {\n'
                '    await inClerkOrg(ctx, orgId);\n    await ctx.db.patch(roomId, { label: "closed" });\n  },\n});\n',
                files=SCHOOLS, lines=[8], message="the `rooms` document whose id is the argument `roomId`"),
    ]

    def check_app(self, ctx, app):
        analysis = ctx.project.access_analysis
        for fn in reported_functions(ctx, app):
            if not analysis.takes_tenant_and_id(fn):
                continue  # (asked first: reading every mutation's writes costs a tenth of an edit)
            for w in analysis.unowned_writes(fn):
                if w.tenant is None:
                    continue
                what = f"the `{w.table}` document" if w.table else "the document"
                ctx.report(w.facts, w.node,
                           f"{describe_function(fn)} admits the caller to the tenant `{w.tenant}`, then "
                           f"{VERB[w.method]} {what} whose id is the argument `{w.argument}` without checking that "
                           f"it belongs to that tenant: a member of one tenant can change another tenant's "
                           f"documents; compare the document's tenant with `{w.tenant}` first")


VERB = {"patch": "patches", "replace": "replaces", "delete": "deletes"}
