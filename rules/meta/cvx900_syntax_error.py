from cvxlint.rulekit import Invalid, Rule, Severity, Valid


class SyntaxError_(Rule):
    """A file in the functions directory that does not parse.

    ## What it does
    Reports the first syntax error in a file of the functions directory. The rest of the app
    is still linted; the broken file gets no other per-file finding, because its tree is
    incomplete and findings on it would be guesses.

    ## Why is this bad?
    `npx convex dev` cannot bundle a file that does not parse, so nothing deploys.

    ## Example
    ```text
    export const list = query({ args: {}, handler: async (ctx) => {
      return await ctx.db.query("tasks").take(10);
    );
    ```
    """

    code = "CVX900"
    name = "syntax-error"
    severity = Severity.ERROR
    summary = "File does not parse"
    skip_broken_files = False

    valid = [Valid('export const x = 1;\n')]
    invalid = [
        Invalid('import { query } from "./_generated/server";\nexport const x = query({ args: {}, handler: async (ctx) => {\n  return 1;\n);\n', lines=[4]),
    ]

    def check_module(self, ctx, module):
        m = module.facts.module
        if not m.error_ranges:
            return
        start, end = m.error_ranges[0]
        more = len(m.error_ranges) - 1
        suffix = f" ({more} more)" if more > 0 else ""
        ctx.report(module.facts, (start, max(end, start)), f"syntax error: this file does not parse{suffix}")
