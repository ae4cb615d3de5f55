import type { RecordRule } from './rule';
import { tokenCountOf } from './tokens';

/**
 * The configured model's chat template raises on the example (Gemma's "System role not supported", Mistral's
 * alternation and tool-call id checks): every trainer renders examples with it, so training stops or skips it.
 */
export const rule: RecordRule = {
  kind: 'record',
  meta: { id: 'chat-template-error', description: "The configured model's chat template fails on an example.", defaultSeverity: 'error', fixable: false },
  check({ analysis, facts, record, report }) {
    // Only a model's template can fail (the estimate renders nothing); plain text is not templated.
    if (facts.tokens.estimated || analysis.conversation.plainText || analysis.conversation.turns.length === 0) return;
    const error = tokenCountOf(analysis, facts).templateError;
    if (error === undefined) return;
    const key = Object.keys(record.value as object)[0];
    // An error about the system role (Gemma's "System role not supported") is the system message's: underline its role.
    const system = /\bsystem\b/i.test(error) ? analysis.conversation.turns.find((turn) => turn.role === 'system') : undefined;
    const target = system !== undefined ? { path: system.rolePath ?? system.path } : key !== undefined ? { path: [key], part: 'key' as const } : { offsets: { start: 0, end: 1 } };
    report(
      `The configured model's chat template fails on this example: "${error}". Trainers render every example with it (TRL stops with this error, Axolotl and Tunesmith's own trainer leave the example out). Change the example (roles, system message, tool-call ids) so the template accepts it, or train with a model whose template does.`,
      target,
    );
  },
};
