import { preformattedTemplate } from './chatTemplates';
import type { RecordRule } from './rule';
import { quote } from './util';

/**
 * A plain `text` record already written in a chat template (`<s>[INST] ... [/INST] ... </s>`, the
 * layout of many SFT datasets that TRL's SFTTrainer reads as they are): valid, but it trains only a
 * model that uses that template. An information, not a leak: special-token-leak leaves the
 * template's own tokens alone here and still reports tokens of another template.
 */
export const rule: RecordRule = {
  kind: 'record',
  meta: { id: 'preformatted-text', description: 'A plain text record already formatted with a chat template (Llama 2 [INST], ChatML <|im_start|>, Llama 3 headers...): it suits only the model of that template.', defaultSeverity: 'info', fixable: false },
  check(context) {
    const { conversation } = context.analysis;
    if (!conversation.plainText) return;
    const part = conversation.turns[0]?.parts[0];
    if (part === undefined) return;
    const found = preformattedTemplate(part.text);
    if (found === undefined) return;
    const opener = found.opener.trimEnd();
    context.report(
      `This text is already formatted with the ${found.template.name} chat template ("${quote(opener)}"): as written it teaches that template's turn markers, so it suits only a model that uses them (its tokenizer reads them as control tokens). To fine-tune another model, store the turns as "messages" and let the trainer apply that model's template.`,
      { path: part.path, inString: { start: found.start, end: found.start + opener.length } },
    );
  },
};
