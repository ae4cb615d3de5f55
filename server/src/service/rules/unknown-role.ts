import type { Role } from '../conversation';
import { openaiRoles, sharegptRoles, suggestRole } from '../formats';
import type { RecordRule, RecordRuleContext } from './rule';
import { allTurns } from './util';

/** A role the format does not know (OpenAI: unrecognized_role; LLaMA-Factory: KeyError or a skipped example). */
export const rule: RecordRule = {
  kind: 'record',
  meta: { id: 'unknown-role', description: 'An unknown or misspelt role (the canonical role is suggested).', defaultSeverity: 'error', fixable: true },
  check(context) {
    const { analysis, facts } = context;
    const shape = analysis.shape;
    const sharegpt = shape === 'sharegpt' || shape === 'preference-sharegpt';
    const unlisted = sharegpt ? facts.hint.unlistedTags : undefined;
    // The roles this file may use: a tag its dataset_info.json entry leaves out is neither suggested nor named.
    const known: Record<string, Role> = sharegpt ? sharegptRoles(analysis.conversation.mapping ?? facts.hint.mapping) : openaiRoles;
    const allowed = unlisted === undefined ? known : Object.fromEntries(Object.entries(known).filter(([name]) => unlisted[name] === undefined));
    const configuredTags: readonly string[] = sharegpt ? Object.values((analysis.conversation.mapping ?? facts.hint.mapping).tags) : [];
    for (const turn of allTurns(context)) {
      const tag = unlisted !== undefined && turn.rolePath !== undefined ? unlisted[turn.writtenRole] : undefined;
      if (tag !== undefined && turn.rolePath !== undefined) {
        context.report(`"${turn.writtenRole}" is not among the tags this file's dataset_info.json entry lists: LLaMA-Factory sets every tag left out of "tags" to none, so it skips this example. Add "${tag}": "${turn.writtenRole}" to the entry's tags.`, { path: turn.rolePath });
        continue;
      }
      if (turn.role !== null || turn.rolePath === undefined) continue;
      if (typeof turn.writtenRole !== 'string' || turn.writtenRole === '') {
        // A missing or non-string role is reported by missing-field / wrong-type.
        continue;
      }
      // A role name the tags leave out ("user" where they have no user_tag): no name is right but the one the entry adds.
      const meant = unlisted !== undefined ? suggestRole(turn.writtenRole, known) : undefined;
      const meantTag = meant !== undefined && openaiRoles[turn.writtenRole] !== undefined ? unlisted?.[meant] : undefined;
      if (meantTag !== undefined) {
        context.report(`"${turn.writtenRole}" is no role here: this file's dataset_info.json entry lists "tags" without ${meantTag}, and LLaMA-Factory sets a tag left out to none, so it skips this example (and every other). Add "${meantTag}": "${turn.writtenRole}" to the entry's tags.`, { path: turn.rolePath });
        continue;
      }
      const suggestion = suggestRole(turn.writtenRole, allowed);
      // ShareGPT reads "tool" as an observation without naming it, unless the file's tags make it one.
      const names = Object.keys(allowed).filter((name) => !(sharegpt && name === 'tool' && !configuredTags.includes('tool'))).join(', ');
      if (suggestion !== undefined && sharegpt && openaiRoles[turn.writtenRole] !== undefined) {
        // An OpenAI role name in a ShareGPT turn: Axolotl's chat_template and TRL (maybe_convert_to_chatml) take it, LLaMA-Factory and torchtune do not.
        context.report(`"${turn.writtenRole}" is an OpenAI role name, not a ShareGPT tag: LLaMA-Factory skips this example and torchtune's ShareGPT loader fails on it (Axolotl's chat_template maps it, and TRL renames from/value to role/content and keeps it). Use "${suggestion}"; tags here are ${names}${entryTagHint(context, suggestion, turn.writtenRole)}.`, { path: turn.rolePath }, { kind: 'replace-role', path: turn.rolePath, replacement: suggestion });
      } else if (suggestion !== undefined) {
        context.report(`Unknown role "${turn.writtenRole}": did you mean "${suggestion}"? Roles here are ${names}.`, { path: turn.rolePath }, { kind: 'replace-role', path: turn.rolePath, replacement: suggestion });
      } else {
        context.report(`Unknown role "${turn.writtenRole}": roles here are ${names}. Use one of them.`, { path: turn.rolePath });
      }
    }
  },
};

/**
 * With a dataset_info.json entry, the other way to fix a role name: the entry's tag for that role
 * ("user_tag": "user"), as LLaMA-Factory's own OpenAI-style entries write it.
 */
function entryTagHint(context: RecordRuleContext, suggestion: string, written: string): string {
  if (context.facts.hint.formatting === undefined) return '';
  const tags = (context.analysis.conversation.mapping ?? context.facts.hint.mapping).tags;
  const role = (Object.keys(tags) as (keyof typeof tags)[]).find((name) => name !== 'role' && name !== 'content' && tags[name] === suggestion);
  return role === undefined ? '' : `, or set "${role}_tag": "${written}" in this file's dataset_info.json entry`;
}
