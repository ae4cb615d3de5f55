import type { RecordRule } from './rule';
import { specifiedObjects } from './structure';

const skeletons: Record<string, unknown> = { messages: [], conversations: [], content: '', value: '', output: '', instruction: '', completion: '', prompt: '', chosen: '', rejected: '', text: '', role: 'user', from: 'human' };

/** A field the format requires is absent (OpenAI: missing_messages_list, message_missing_key, missing_content). */
export const rule: RecordRule = {
  kind: 'record',
  meta: { id: 'missing-field', description: 'A required field is missing from a record or a message.', defaultSeverity: 'error', fixable: true },
  check(context) {
    const { analysis, report } = context;
    if (analysis.shape === 'unknown') {
      report('This record matches no dataset format: expected "messages" (OpenAI chat), "conversations" (ShareGPT), "instruction"/"output" (Alpaca), "prompt"/"completion", "text", or "prompt"/"chosen"/"rejected" (preference).', { offsets: { start: 0, end: 1 } });
      return;
    }
    for (const object of specifiedObjects(context)) {
      for (const key of object.spec.required) {
        if (Object.prototype.hasOwnProperty.call(object.value, key)) continue;
        const spec = object.spec.fields[key];
        if (spec === undefined) continue;
        const skeleton = skeletons[key] ?? (spec.types[0] === 'array' ? [] : spec.types[0] === 'object' ? {} : '');
        report(`${object.name === 'the record' ? 'The record' : object.name[0]?.toUpperCase() + object.name.slice(1)} is missing the required "${key}" field (${spec.types.join(' or ')}). Add it.`,
          object.path.length === 0 ? { offsets: { start: 0, end: 1 } } : { path: object.path },
          { kind: 'add-field', path: object.path, key, skeleton });
      }
    }
  },
};
