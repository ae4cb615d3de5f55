/** Editor features (code actions, hover, outline, folding, completion, code lens): LSP wiring only. */
import type { Connection } from 'vscode-languageserver';
import { codeActions, codeLenses, completion, documentSymbols, foldingRanges, hover, isFileActionData, resolveFileAction } from '../service/features/editor';
import type { FileFacts } from '../service/fileFacts';
import type { LintResult } from '../service/linter';
import type { DatasetSession } from '../service/session';

export interface DocumentState {
  /** The document's lint result (its first lint of a large file takes seconds, in slices). */
  lint(uri: string): Promise<LintResult | undefined>;
  /** The document's facts once its settings are loaded, without linting it. */
  configured(uri: string): Promise<FileFacts | undefined>;
}

/**
 * `clientResolvesEdits`: the client fills in code actions' edits through codeAction/resolve (VS Code
 * does); `clientShowsDisabled`: it shows disabled code actions with their reason.
 */
export function registerFeatures(connection: Connection, session: DatasetSession, state: DocumentState, clientResolvesEdits: () => boolean, clientShowsDisabled: () => boolean = () => false): void {
  /** The document, its facts and diagnostics once linted; undefined for unknown or non-dataset files. */
  const prepare = async (uri: string) => {
    const result = await state.lint(uri);
    const document = session.get(uri);
    if (result === undefined || document === undefined || !document.isDataset) return undefined;
    return { document, facts: result.facts, diagnostics: result.diagnostics };
  };
  /**
   * The document and its facts, not waiting for its lint: hover, outline, folding and lenses read
   * single records, so a 100k-record file shows them at once instead of after its first lint.
   */
  const configuredDocument = async (uri: string) => {
    const facts = await state.configured(uri);
    const document = session.get(uri);
    if (facts === undefined || document === undefined || !document.isDataset) return undefined;
    return { document, facts };
  };
  connection.onCodeAction(async ({ textDocument, range, context }) => {
    const ready = await prepare(textDocument.uri);
    // The current diagnostics: a fix is offered only for a diagnostic the current text still has.
    return ready === undefined ? [] : codeActions(ready.document, ready.facts, textDocument.uri, range, context.diagnostics, { resolveEdits: clientResolvesEdits(), showDisabled: clientShowsDisabled(), current: ready.diagnostics, ...(context.only !== undefined ? { only: context.only } : {}) });
  });
  connection.onCodeActionResolve(async (action) => {
    if (!isFileActionData(action.data)) return action;
    const ready = await prepare(action.data.uri);
    return ready === undefined ? action : resolveFileAction(ready.document, ready.facts, action);
  });
  connection.onHover(async ({ textDocument, position }) => {
    const ready = await configuredDocument(textDocument.uri);
    return ready === undefined ? null : hover(ready.document, ready.facts, position);
  });
  connection.onDocumentSymbol(async ({ textDocument }) => {
    const ready = await configuredDocument(textDocument.uri);
    return ready === undefined ? [] : documentSymbols(ready.document, ready.facts);
  });
  connection.onFoldingRanges(async ({ textDocument }) => {
    const ready = await configuredDocument(textDocument.uri);
    return ready === undefined ? [] : foldingRanges(ready.document);
  });
  connection.onCompletion(async ({ textDocument, position }) => {
    const ready = await prepare(textDocument.uri);
    return ready === undefined ? [] : completion(ready.document, ready.facts, position, () => session.textOf(textDocument.uri));
  });
  connection.onCodeLens(async ({ textDocument }) => {
    const ready = await configuredDocument(textDocument.uri);
    return ready === undefined ? [] : codeLenses(ready.document, textDocument.uri);
  });
}
