import type { Turn } from '../conversation';
import { roleContentMapping } from '../formats';
import type { RecordRule, RecordRuleContext } from './rule';
import { articleFor, isObject, turnName, valueAt } from './util';

/** A tool call written in an answer's text, in the layouts tool-calling datasets use (see checkSharegptPositions). */
const callInText = /<tool_call>|<functioncall>|^\s*\[?[A-Za-z_][\w.]*\(|"name"\s*:/;

function at(turn: Turn): { path: readonly (string | number)[] } {
  return { path: turn.rolePath ?? turn.path };
}

/**
 * ShareGPT (LLaMA-Factory): after the optional system turn, human/observation must be at odd
 * positions and gpt/function_call at even ones, or the example is silently skipped.
 */
function checkSharegptPositions(context: RecordRuleContext, turns: readonly Turn[]): boolean {
  const mapping = context.analysis.conversation.mapping ?? context.facts.hint.mapping;
  const { tags } = mapping;
  const roleContent = tags === roleContentMapping.tags;
  const openaiMessages = mapping.openaiMessages === true;
  let position = 0;
  let previous: Turn | undefined;
  for (const [index, turn] of turns.entries()) {
    if (turn.role === null) return false; // unknown-role reports it; positions are meaningless then
    if (turn.rolePath === undefined) continue; // the system column
    if (turn.writtenRole === tags.system) {
      if (position !== 0) context.report(`A system turn can only come first (${turnName(turn, index)}). Move it to the start or into the "system" column.`, at(turn));
      continue;
    }
    // LLaMA-Factory's openai formatting merges consecutive tool results into one observation turn.
    if (openaiMessages && turn.role === 'tool' && previous?.role === 'tool') {
      previous = turn;
      continue;
    }
    const expectsUser = position % 2 === 0;
    const isUserSide = turn.role === 'user' || turn.role === 'tool';
    if (expectsUser !== isUserSide) {
      if (roleContent) {
        // OpenAI-style turns under "conversations" (Axolotl chat_template, torchtune chat_dataset): no function_call turns.
        context.report(`Turn ${position + 1} of the conversation must be ${expectsUser ? '"user" or "tool"' : '"assistant"'}, not "${turn.writtenRole}": user and assistant turns must alternate (torchtune rejects two user messages in a row, LLaMA-Factory skips the conversation). Merge or reorder the turns.`, at(turn));
        return false;
      }
      const expected = expectsUser ? `"${tags.user}" or "${tags.observation}"` : `"${tags.assistant}" or "${tags.function}"`;
      context.report(`Turn ${position + 1} of the conversation must be ${expected}, not "${turn.writtenRole}": LLaMA-Factory silently skips conversations that do not alternate. Merge or reorder the turns.`, at(turn));
      return false; // one report per conversation: every later position is shifted too
    }
    // LLaMA-Factory pairs each observation with the function_call before it (in the openai formatting, an answer with
    // tool_calls): a tool result after a plain answer has no call to answer (the positions alone allow gpt, observation).
    // A call written in the answer's text is answered by the tool turn after it too (Hermes's <tool_call> tags, glaive's
    // <functioncall>, ToolACE's [name(arg=...)], a {"name": ...} object).
    if (turn.role === 'tool' && previous?.writtenRole !== tags.function && !(openaiMessages && (previous?.toolCalls.length ?? 0) > 0) && !(previous?.role === 'assistant' && callInText.test(previous.content))) {
      const after = previous === undefined ? 'the conversation cannot start with one' : `not "${previous.writtenRole}"`;
      const call = openaiMessages ? `an "${tags.assistant}" turn with "tool_calls"` : `${articleFor(tags.function)} "${tags.function}" turn`;
      context.report(`${articleFor(turn.writtenRole) === 'an' ? 'An' : 'A'} "${turn.writtenRole}" turn (a tool result) must follow ${call} that makes the call; ${after} (${turnName(turn, index)}). Add the call before it or remove the result.`, at(turn));
      return false;
    }
    previous = turn;
    position++;
  }
  // LLaMA-Factory's converter drops a conversation that ends on the prompt side ("Invalid message count"):
  // each human or observation turn needs the answer after it. (A preference pair without its chosen turn is missing-field's.)
  const last = previous;
  if (context.analysis.conversation.shape === 'sharegpt' && !roleContent && position % 2 === 1 && last !== undefined && (last.role === 'user' || last.role === 'tool')) {
    context.report(`The conversation ends on ${turnName(last, turns.indexOf(last))} with no answer after it: LLaMA-Factory skips conversations with an odd number of turns ("Invalid message count"). Add the "${tags.assistant}" answer, or remove the turn.`, at(last));
    return false;
  }
  return true;
}

/**
 * Whether role-order reports a ShareGPT conversation (LLaMA-Factory's from/value layout) that ends on
 * the prompt side: last-turn-not-trainable then stays quiet.
 */
export function endsWithoutAnswerInLlamaFactory(context: RecordRuleContext): boolean {
  const { conversation } = context.analysis;
  if (conversation.shape !== 'sharegpt') return false;
  if ((conversation.mapping ?? context.facts.hint.mapping).tags === roleContentMapping.tags) return false;
  const last = conversation.turns[conversation.turns.length - 1];
  return last !== undefined && last.rolePath !== undefined && (last.role === 'user' || last.role === 'tool');
}

/**
 * A user message that holds only images, audio or files (content parts and no text): OpenAI's vision
 * fine-tuning guide writes the question and the image as two user messages in a row, and the chat
 * templates join them into one user turn.
 */
function mediaOnly(context: RecordRuleContext, turn: Turn): boolean {
  if (turn.parts.length > 0) return false;
  const content = valueAt(context.record.value, turn.contentPath);
  return Array.isArray(content) && content.length > 0 && content.every((part) => isObject(part) && typeof part.type === 'string' && part.type !== 'text');
}

/** Whether an assistant message writes "tool_calls" or "function_call" in some form (a mistyped one is wrong-type's finding, and still a call). */
function writesCalls(context: RecordRuleContext, turn: Turn): boolean {
  const message = valueAt(context.record.value, turn.path);
  return isObject(message) && ((message.tool_calls !== undefined && message.tool_calls !== null) || (message.function_call !== undefined && message.function_call !== null));
}

/** torchtune's validate_messages: system only first, no two user or assistant turns in a row, tool results after a call. */
function checkChatOrder(context: RecordRuleContext, turns: readonly Turn[]): void {
  let previous: Turn | undefined;
  let seenUser = false;
  for (const [index, turn] of turns.entries()) {
    if (turn.role === null) return;
    if (turn.role === 'user') seenUser = true;
    if (turn.role === 'system' && index > 0) {
      context.report(`A system message can only be the first message (${turnName(turn, index)}); many chat templates reject it elsewhere. Move it to the start.`, at(turn));
    } else if (previous !== undefined) {
      // (A user message as OpenAI DPO's output is no-assistant-turn's finding.)
      if (turn.role === 'user' && previous.role === 'user' && turn.path[0] !== 'preferred_output' && !(mediaOnly(context, turn) || mediaOnly(context, previous))) {
        context.report(`Two user messages in a row (${turnName(turn, index)}): merge them, or add the assistant's answer between them.`, at(turn));
      } else if (turn.role === 'assistant' && previous.role === 'assistant' && previous.toolCalls.length === 0 && turn.path[0] === 'preferred_output' && turn.path[1] === 0 && previous.path[0] === 'input') {
        // OpenAI DPO: the outputs answer the input's last message, which is the user's.
        context.report(`The "input" messages end on an assistant message (${turnName(previous, index - 1)}): in an OpenAI DPO record they end on the user's message that the preferred and non-preferred outputs answer. Remove this last answer from "input", or add the user's next message after it.`, at(previous));
      } else if (turn.role === 'assistant' && previous.role === 'assistant' && previous.toolCalls.length === 0 && !(turn.path[0] === 'preferred_output' && turn.path[1] !== 0)) {
        // (An OpenAI DPO output of several messages is reported once, by checkSingleOutputs.)
        context.report(`Two assistant messages in a row (${turnName(turn, index)}): merge them into one answer.`, at(turn));
      } else if (turn.role === 'assistant' && previous.role === 'system' && !seenUser && turn.path[0] !== 'preferred_output') {
        context.report(`The assistant answers before any user message (${turnName(turn, index)}): add the user's message first.`, at(turn));
      } else if (turn.role === 'tool' && !(previous.role === 'tool' || (previous.role === 'assistant' && (previous.toolCalls.length > 0 || writesCalls(context, previous))))) {
        context.report(`A tool result must follow an assistant message that calls the tool (${turnName(turn, index)}): add the assistant's tool call before it, or remove the result.`, at(turn));
      }
    } else if (turn.role === 'tool') {
      context.report('The conversation starts with a tool result: it must follow an assistant message that calls the tool. Add the user message and the call before it, or remove the result.', at(turn));
    } else if (turn.role === 'assistant' && turns.some((other) => other.role === 'user')) {
      // torchtune and the Mistral and Gemma templates reject it ("roles must alternate user/assistant").
      context.report(`The conversation starts with an assistant message (${turnName(turn, index)}) before any user message: many chat templates reject it. Start with the user's message, or move the greeting into the system prompt.`, at(turn));
    } else if (turn.role === 'assistant' && context.analysis.conversation.shape === 'openai-chat') {
      // A chat with no user message at all: torchtune's validate_messages raises, OpenAI's data prep
      // counts it as missing a user message, alternating templates fail. (A standard TRL answer with an
      // implicit prompt is a plain string and is not a chat.)
      context.report(`The conversation has no user message, only the assistant's (${turnName(turn, index)}): torchtune rejects it and templates that alternate user and assistant fail. Add the user's message before it.`, at(turn));
    }
    previous = turn;
  }
}

/**
 * OpenAI preference fine-tuning: each output is exactly one assistant message (earlier turns belong
 * in input.messages). Reported at the role of the first message too many.
 */
function checkSingleOutputs(context: RecordRuleContext): void {
  const value = context.record.value as Record<string, unknown>;
  for (const key of ['preferred_output', 'non_preferred_output']) {
    const list = value[key];
    if (!Array.isArray(list) || list.length <= 1) continue;
    const second = list[1] as unknown;
    const target = typeof second === 'object' && second !== null && 'role' in second ? { path: [key, 1, 'role'] } : { path: [key, 1] };
    context.report(`"${key}" holds ${list.length} messages: OpenAI's preference fine-tuning takes exactly one assistant message per output. Keep the one answer, and move earlier turns into "input"."messages".`, target);
  }
}

/** OpenAI preference fine-tuning: "input"."messages" is the prompt, so it needs the user's message. */
function checkDpoPrompt(context: RecordRuleContext): void {
  const input = (context.record.value as Record<string, unknown>).input;
  const messages = isObject(input) ? input.messages : undefined;
  if (!Array.isArray(messages) || messages.some((message) => isObject(message) && message.role !== 'system' && message.role !== 'developer')) return;
  context.report(`"input"."messages" has no user message: the pair has no prompt to prefer one answer for, and OpenAI's preference fine-tuning needs one. Add the user's message.`, { path: ['input', 'messages'] });
}

/** A LLaMA-Factory ranking answer (chosen or rejected) that is not an answer turn: it skips the pair. */
function reportRankingAnswerRole(context: RecordRuleContext, turn: Turn, side: 'chosen' | 'rejected'): void {
  if (turn.rolePath === undefined) return;
  const tags = (context.analysis.conversation.mapping ?? context.facts.hint.mapping).tags;
  context.report(`The ${side} answer must be "${tags.assistant}" or "${tags.function}", not "${turn.writtenRole}": LLaMA-Factory silently skips a pair whose answers are not both answers. Change its "${tags.role}" to "${tags.assistant}" (or "${tags.function}" for a tool call).`, { path: turn.rolePath });
}

/**
 * LLaMA-Factory ranking data: the conversation is the prompt, so it ends on the turn the answers reply to (an odd
 * number of turns, "Invalid message count" otherwise), and the chosen answer is an answer turn. The prompt's
 * positions are checked as any ShareGPT conversation's.
 */
function checkRankingPair(context: RecordRuleContext, turns: readonly Turn[]): void {
  const { columns, tags } = context.analysis.conversation.mapping ?? context.facts.hint.mapping;
  const chosen = turns.find((turn) => turn.path.length === 1 && turn.path[0] === columns.chosen);
  const prompt = chosen === undefined ? turns : turns.filter((turn) => turn !== chosen);
  if (!checkSharegptPositions(context, prompt)) return;
  const last = prompt[prompt.length - 1];
  if (last !== undefined && last.rolePath !== undefined && last.role === 'assistant') {
    context.report(`A ranking pair's conversation must end on the "${tags.user}" turn its answers reply to, not on an answer (${turnName(last, prompt.length - 1)}): LLaMA-Factory skips the pair ("Invalid message count"). Remove this turn, or move it into "${columns.chosen}".`, at(last));
    return;
  }
  if (chosen !== undefined && chosen.role !== null && chosen.role !== 'assistant') reportRankingAnswerRole(context, chosen, 'chosen');
}

/**
 * A chosen and a rejected message after "messages" (Axolotl chat_template.default, LLaMA-Factory): "messages" is the prompt,
 * so it ends on the user turn both answers reply to. Reported once, at its last turn (not as two answers in a row at the
 * chosen one, whose merge would make the answers reply to different prompts).
 */
function promptEndsOnAnswer(context: RecordRuleContext, turns: readonly Turn[]): boolean {
  const prompt = turns.filter((turn) => turn.path[0] !== 'chosen');
  const last = prompt[prompt.length - 1];
  if (last === undefined || last.role !== 'assistant' || last.rolePath === undefined || prompt.length === turns.length) return false;
  context.report(`The pair's "messages" must end on the user turn both answers reply to, not on an answer (${turnName(last, prompt.length - 1)}): "chosen" and "rejected" each follow "messages", so both would follow this answer. Remove this turn, or fold its text into the answers.`, at(last));
  return true;
}

/**
 * A rejected answer after the prompt: LLaMA-Factory ranking data, and a chosen and a rejected message
 * after "messages" (Axolotl chat_template.default). It takes the chosen answer's place, so it must be
 * an answer too; otherwise LLaMA-Factory skips the pair and Axolotl trains on a non-answer.
 */
function checkRejectedAnswer(context: RecordRuleContext): void {
  const { shape, rejected } = context.analysis.conversation;
  const turn = rejected?.[0];
  if (turn === undefined || turn.role === null || turn.role === 'assistant' || turn.rolePath === undefined) return;
  if (shape === 'preference-sharegpt') {
    reportRankingAnswerRole(context, turn, 'rejected');
  } else {
    context.report(`"${String(turn.path[0])}" must be an assistant message (the answer after "messages"), not a "${turn.writtenRole}" message: Axolotl and LLaMA-Factory read it as the answer. Make it {"role": "assistant", "content": "..."}.`, { path: turn.rolePath });
  }
}

export const rule: RecordRule = {
  kind: 'record',
  meta: { id: 'role-order', description: 'Turns are in an order trainers reject (system not first, repeated roles, tool result without a call, ShareGPT positions).', defaultSeverity: 'error', fixable: false },
  check(context) {
    const { conversation } = context.analysis;
    if (conversation.plainText) return;
    if (conversation.shape === 'preference-openai') {
      checkSingleOutputs(context);
      checkDpoPrompt(context);
    }
    // (The chosen answer is the conversation's last turn: the order checks below cover it.)
    if (conversation.shape === 'preference-sharegpt' || conversation.shape === 'preference-messages') checkRejectedAnswer(context);
    if (conversation.shape === 'preference-messages' && promptEndsOnAnswer(context, conversation.turns)) return;
    if (conversation.shape === 'preference-sharegpt') checkRankingPair(context, conversation.turns);
    else if (conversation.shape === 'sharegpt') checkSharegptPositions(context, conversation.turns);
    else if (conversation.shape !== 'alpaca' && conversation.shape !== 'preference-alpaca') checkChatOrder(context, conversation.turns);
  },
};
