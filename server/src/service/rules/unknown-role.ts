import type { Role } from '../conversation';
import { openaiRoles, sharegptRoles, suggestRole } from '../formats';
import type { RecordRule } from './rule';
import { allTurns } from './util';

/** A role the format does not know (OpenAI: unrecognized_role; LLaMA-Factory: KeyError or a skipped example). */
export const rule: RecordRule = {
  kind: 'record',
  meta: { id: 'unknown-role', description: 'An unknown or misspelt role (the canonical role is suggested).', defaultSeverity: 'error', fixable: true },
  check(context) {
    const { analysis, facts } = context;
    const shape = analysis.shape;
    const sharegpt = shape === 'sharegpt' || shape === 'preference-sharegpt';
    const allowed: Record<string, Role> = sharegpt ? sharegptRoles(facts.hint.mapping) : openaiRoles;
    for (const turn of allTurns(context)) {
      if (turn.role !== null || turn.rolePath === undefined) continue;
      if (typeof turn.writtenRole !== 'string' || turn.writtenRole === '') {
        // A missing or non-string role is reported by missing-field / wrong-type.
        continue;
      }
      const suggestion = suggestRole(turn.writtenRole, allowed);
      const names = Object.keys(allowed).filter((name) => !(sharegpt && name === 'tool')).join(', ');
      if (suggestion !== undefined) {
        context.report(`Unknown role "${turn.writtenRole}": did you mean "${suggestion}"? Roles here are ${names}.`, { path: turn.rolePath }, { kind: 'replace-role', path: turn.rolePath, replacement: suggestion });
      } else {
        context.report(`Unknown role "${turn.writtenRole}": roles here are ${names}. Use one of them.`, { path: turn.rolePath });
      }
    }
  },
};
