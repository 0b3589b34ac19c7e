from cvxlint.rulekit import Invalid, Rule, Severity, Valid


_MODULE = {"convex/notes.ts": "export const greeting = 'hi';\n"}


class UnreadableFile(Rule):
    """A source file cvxlint cannot read: binary, not UTF-8, too large, or unreadable.

    ## What it does
    Reports files under the app that cvxlint skipped, saying why. Nothing in such a file is
    analysed and cvxlint never rewrites it. The size limit is the `max-file-size` setting.
    A NUL character or two in a string literal does not make a file binary; NULs throughout
    (binary data, UTF-16 text) do. An app whose package.json cannot be read (cut short, not
    JSON, not an object) is reported there when no other evidence gives its convex version:
    the checks that depend on the version then assume the newest.

    ## Why is this bad?
    Convex bundles every file of the functions directory; a file that is not UTF-8 text is
    almost always a mistake (an editor's encoding, a stray binary), and a file skipped here
    is a blind spot for every other rule.

    ## Example
    A `convex/notes.ts` saved as Latin-1 with an `é` in a string.
    """

    code = "CVX902"
    name = "unreadable-file"
    severity = Severity.ERROR
    summary = "Source file cannot be read as UTF-8 text"
    skip_broken_files = False

    valid = [Valid("export const greeting = 'héllo';\n"),
             Valid("", path="package.json", files={"package.json": b'{"dependencies": {"convex": "^1.2"}}', **_MODULE}),
             Valid("", files={"convex/example.ts": b'export const sep = "\x00";\n'}, note="one NUL in a string")]
    invalid = [
        Invalid("", path="convex/latin1.ts", files={"convex/latin1.ts": b"export const s = '\xe9t\xe9';\n"}, lines=[1]),
        Invalid("", path="convex/blob.ts", files={"convex/blob.ts": b"\x00\x00\x01\x02binary" * 4}, lines=[1]),
        Invalid("", path="package.json", files={"package.json": b'{"dependencies": {"convex": "^1.2', **_MODULE}, lines=[1],
                note="a package.json cut short: the convex version is unknown"),
    ]

    def check_app(self, ctx, app):
        for path, problem in sorted(ctx.project.problems.items()):
            if path.is_relative_to(app.root) and (ctx.project.app_for(path) in (None, app)):
                ctx.report(str(path), (0, 0), problem.reason)
