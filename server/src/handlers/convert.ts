/** Conversions from the pure service's types to LSP types. */
import { DiagnosticSeverity, type Diagnostic } from 'vscode-languageserver';
import { ruleDocsUrl } from '../service/docsUrl';
import type { LintDiagnostic, ReportedSeverity } from '../service/linter';

const severityMap: Record<ReportedSeverity, DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  info: DiagnosticSeverity.Information,
  hint: DiagnosticSeverity.Hint,
};

/** What a diagnostic carries for code actions. */
export interface DiagnosticData {
  recordIndex?: number;
  fix?: LintDiagnostic['fix'];
}

/** LSP diagnostics by the lint diagnostic they were made from: the linter re-uses those of unchanged records. */
const converted = new WeakMap<LintDiagnostic, Diagnostic>();

export function toLspDiagnostic(diagnostic: LintDiagnostic): Diagnostic {
  const known = converted.get(diagnostic);
  if (known !== undefined) return known;
  const result: Diagnostic = {
    range: diagnostic.range,
    severity: severityMap[diagnostic.severity],
    source: 'tunesmith',
    code: diagnostic.rule,
    message: diagnostic.message,
  };
  const href = ruleDocsUrl(diagnostic.rule);
  if (href !== undefined) result.codeDescription = { href };
  if (diagnostic.recordIndex !== undefined || diagnostic.fix !== undefined) {
    const data: DiagnosticData = {};
    if (diagnostic.recordIndex !== undefined) data.recordIndex = diagnostic.recordIndex;
    if (diagnostic.fix !== undefined) data.fix = diagnostic.fix;
    result.data = data;
  }
  converted.set(diagnostic, result);
  return result;
}
