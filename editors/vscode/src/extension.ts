// VS Code client for `cvxlint lsp`: starts the server over stdio for TypeScript, JavaScript
// and Python files and hands it the `cvxlint.*` settings. Diagnostics, quick fixes,
// "fix all" (source.fixAll.cvxlint) and hovers all come from the server.
import * as vscode from "vscode";
import { LanguageClient, LanguageClientOptions, ServerOptions, TransportKind } from "vscode-languageclient/node";

let client: LanguageClient | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const command = vscode.workspace.getConfiguration("cvxlint").get<string>("path", "cvxlint");
  const serverOptions: ServerOptions = {
    run: { command, args: ["lsp"], transport: TransportKind.stdio },
    debug: { command, args: ["lsp", "--verbose"], transport: TransportKind.stdio },
  };
  const languages = ["typescript", "typescriptreact", "javascript", "javascriptreact", "python"];
  const clientOptions: LanguageClientOptions = {
    documentSelector: languages.map((language) => ({ scheme: "file", language })),
    // The server reads the `cvxlint` section through workspace/configuration and re-reads it
    // when it changes.
    synchronize: { configurationSection: "cvxlint" },
  };
  client = new LanguageClient("cvxlint", "cvxlint", serverOptions, clientOptions);
  context.subscriptions.push(
    vscode.commands.registerCommand("cvxlint.restart", async () => {
      await client?.restart();
    }),
  );
  try {
    await client.start();
  } catch (err) {
    void vscode.window.showErrorMessage(
      `cvxlint: could not start \`${command} lsp\` (${String(err)}). Install it with pip install 'cvxlint[lsp]' ` +
        "or set cvxlint.path.",
    );
    return;
  }
  context.subscriptions.push(client);
}

export function deactivate(): Thenable<void> | undefined {
  return client?.stop();
}
