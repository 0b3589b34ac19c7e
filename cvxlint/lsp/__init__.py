"""The cvxlint language server (`cvxlint lsp`); needs the `lsp` extra (pygls)."""
