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

/**
 * LSP diagnostics by the lint diagnostic they were made from: the linter re-uses those of unchanged
 * records. They carry no fix data: code actions take the fix from the current lint (see codeActions).
 */
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
  converted.set(diagnostic, result);
  return result;
}
