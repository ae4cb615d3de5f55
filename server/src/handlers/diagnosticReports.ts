/**
 * Pull-diagnostic reports with result ids: when the client already holds this document's current
 * diagnostics (its previousResultId names them), the answer is "unchanged" instead of the whole
 * list again. A one-line edit in a big file usually leaves the shown diagnostics as they were, and
 * re-sending up to tunesmith.maxProblems of them is most of an edit's cost.
 */
import { DocumentDiagnosticReportKind, type DocumentDiagnosticReport } from 'vscode-languageserver';
import type { LintDiagnostic } from '../service/linter';
import { toLspDiagnostic } from './convert';

interface LastReport {
  resultId: string;
  diagnostics: readonly LintDiagnostic[];
}

/** Whether the editor would be sent the same diagnostic (fixes are not sent; code actions read them from the current lint). */
function sameDiagnostic(a: LintDiagnostic, b: LintDiagnostic): boolean {
  return (
    a.rule === b.rule &&
    a.severity === b.severity &&
    a.message === b.message &&
    a.range.start.line === b.range.start.line &&
    a.range.start.character === b.range.start.character &&
    a.range.end.line === b.range.end.line &&
    a.range.end.character === b.range.end.character
  );
}

function sameDiagnostics(a: readonly LintDiagnostic[], b: readonly LintDiagnostic[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let index = 0; index < a.length; index++) if (!sameDiagnostic(a[index] as LintDiagnostic, b[index] as LintDiagnostic)) return false;
  return true;
}

export class DiagnosticReports {
  private readonly last = new Map<string, LastReport>();
  private nextId = 1;

  report(uri: string, previousResultId: string | undefined, diagnostics: readonly LintDiagnostic[]): DocumentDiagnosticReport {
    const last = this.last.get(uri);
    if (last !== undefined && sameDiagnostics(last.diagnostics, diagnostics)) {
      if (previousResultId === last.resultId) return { kind: DocumentDiagnosticReportKind.Unchanged, resultId: last.resultId };
    } else {
      this.last.set(uri, { resultId: `${this.nextId++}`, diagnostics });
    }
    const current = this.last.get(uri) as LastReport;
    return { kind: DocumentDiagnosticReportKind.Full, resultId: current.resultId, items: diagnostics.map(toLspDiagnostic) };
  }

  /** The document was closed: the client drops its diagnostics, so the next report must be full. */
  forget(uri: string): void {
    this.last.delete(uri);
  }
}
