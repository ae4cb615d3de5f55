/**
 * The rule registry: every rule, in report order. Adding a rule = one file here + its docs page
 * docs/rules/<id>.md + its test table (a registry test fails when either is missing).
 */
import type { LintSettings, Severity } from '../config';
import { rule as boilerplateRefusal } from './boilerplate-refusal';
import { rule as brokenText } from './broken-text';
import { rule as chatTemplateError } from './chat-template-error';
import { rule as dialogueLeak } from './dialogue-leak';
import { rule as duplicateKey } from './duplicate-key';
import { rule as emptyContent } from './empty-content';
import { crossFileDuplicate, duplicateRecord, nearDuplicate, tooFewExamples, unreadableFile } from './file-rules';
import { rule as identicalPreference } from './identical-preference';
import { rule as invalidJson } from './invalid-json';
import { rule as lastTurnNotTrainable } from './last-turn-not-trainable';
import { rule as mediaPlaceholders } from './media-placeholders';
import { rule as missingField } from './missing-field';
import { rule as mixedFormats } from './mixed-formats';
import { rule as noAssistantTurn } from './no-assistant-turn';
import { rule as noTrainableTokens } from './no-trainable-tokens';
import { rule as notAnObject } from './not-an-object';
import { rule as preformattedText } from './preformatted-text';
import { rule as recordsUnderKey } from './records-under-key';
import { rule as singleRecordFile } from './single-record-file';
import { rule as roleOrder } from './role-order';
import type { RecordRule, Rule } from './rule';
import { rule as secretsPii } from './secrets-pii';
import { rule as specialTokenLeak } from './special-token-leak';
import { rule as templatePlaceholder } from './template-placeholder';
import { rule as tooLong } from './too-long';
import { rule as toolCallSchema } from './tool-call-schema';
import { rule as unknownKey } from './unknown-key';
import { rule as unknownRole } from './unknown-role';
import { rule as whitespace } from './whitespace';
import { rule as wrongType } from './wrong-type';

export const recordRules: readonly RecordRule[] = [
  invalidJson,
  notAnObject,
  duplicateKey,
  missingField,
  wrongType,
  unknownKey,
  unknownRole,
  emptyContent,
  noAssistantTurn,
  roleOrder,
  lastTurnNotTrainable,
  toolCallSchema,
  mediaPlaceholders,
  chatTemplateError,
  tooLong,
  noTrainableTokens,
  templatePlaceholder,
  specialTokenLeak,
  dialogueLeak,
  preformattedText,
  whitespace,
  boilerplateRefusal,
  secretsPii,
  brokenText,
  identicalPreference,
];

export const fileRules = [mixedFormats, duplicateRecord, crossFileDuplicate, nearDuplicate, tooFewExamples, unreadableFile, recordsUnderKey, singleRecordFile] as const;

export const allRules: readonly Rule[] = [...recordRules, ...fileRules];

export const ruleById: ReadonlyMap<string, Rule> = new Map(allRules.map((rule) => [rule.meta.id, rule]));

export function severityOf(rule: string, settings: LintSettings): Severity {
  return settings.rules[rule] ?? ruleById.get(rule)?.meta.defaultSeverity ?? 'warning';
}
