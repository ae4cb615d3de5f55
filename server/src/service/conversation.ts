/**
 * The canonical conversation: every record format is normalised into this one shape, which keeps the
 * JSON path of every field so that anything found in it can be pointed at in the source.
 *
 * It is the contract between the linter, the trainer and the preview: a format is added once (a
 * normaliser in formats.ts) and every consumer understands it. Plain data, no methods, no vscode.
 */
import type { RecordFormat } from '../../../protocol/messages';
import type { FormatMapping } from './formats';
import type { JsonPath } from './json/scanner';
import { parsedOrText } from './json/safe';

/** Canonical roles. `null` on a turn means the role as written is not recognised. */
export type Role = 'system' | 'user' | 'assistant' | 'tool';

/** The concrete shape a record was written in (finer than RecordFormat). */
export type RecordShape =
  | 'openai-chat'
  | 'sharegpt'
  | 'alpaca'
  | 'prompt-completion'
  | 'text'
  /** Axolotl's template-free input_output format: {"segments": [{"label": bool, "text": ...}]}, joined as raw text. */
  | 'segments'
  | 'preference-trl'
  | 'preference-openai'
  | 'preference-sharegpt'
  | 'preference-alpaca'
  /**
   * OpenAI messages with one chosen and one rejected message object after them: Axolotl's DPO type
   * chat_template.default, LLaMA-Factory's ranking layout with OpenAI tags.
   */
  | 'preference-messages'
  /** Axolotl's chatml.argilla / llama3.argilla DPO columns: instruction, chosen_response, rejected_response (and an optional system). */
  | 'preference-argilla'
  /** Axolotl's chatml.intel / llama3.intel DPO columns: question, chosen, rejected (and an optional system). */
  | 'preference-intel'
  /**
   * Axolotl's KTO argilla / intel columns: the question under "instruction" (argilla) or "question"
   * (intel), one "completion" and its boolean "label" (desirable or not), and an optional system.
   */
  | 'unpaired-columns'
  /**
   * Role/content turns under ShareGPT's "conversations" column (Axolotl chat_template with
   * field_messages: conversations, torchtune chat_dataset openai style). Only ever a detected shape:
   * the record is read as 'sharegpt' with role/content tags (recordMapping in formats.ts), and its
   * format is OpenAI chat, so a file that mixes it with from/value records gets mixed-formats.
   */
  | 'chat-conversations'
  /** ShareGPT turns ({"from", "value"}) under "messages" (TRL, Axolotl): detected only, read as 'sharegpt' like the above. */
  | 'sharegpt-messages'
  /**
   * torchtune's instruct_dataset default columns: {"input": question, "output": answer}, no
   * "instruction" (InputOutputToMessages). In a file of Alpaca records mixed-formats says to add the
   * instruction.
   */
  | 'input-output'
  /**
   * A question and its answer under those names: Axolotl's alpaca_chat.load_qa ({"question", "answer"}, as GSM8K
   * writes it), context_qa ({"context", "question", "answer"}) and alpaca_w_system.load_open_orca ({"system_prompt",
   * "question", "response"}).
   */
  | 'question-answer'
  /** TRL prompt-only: {"prompt": ...} and no answer (GRPO, RLOO, online DPO generate the completions). */
  | 'prompt-only'
  /** TRL stepwise supervision: {"prompt", "completions": [steps], "labels": [one boolean per step]} (PRMTrainer). */
  | 'stepwise'
  | 'unknown';

export function formatOfShape(shape: RecordShape): RecordFormat {
  // Template-free segments are raw text (the author writes every token), trained where labelled.
  if (shape === 'segments') return 'text';
  // KTO data is unpaired prompt/completion data (TRL's KTO type has the same keys but the prompt's).
  // torchtune's input/output pair and Axolotl's question/answer are a prompt and its completion under other names.
  if (shape === 'unpaired-columns' || shape === 'input-output' || shape === 'question-answer') return 'prompt-completion';
  if (shape === 'chat-conversations') return 'openai-chat';
  if (shape === 'sharegpt-messages') return 'sharegpt';
  return shape.startsWith('preference') ? 'preference' : (shape as RecordFormat);
}

/** A piece of a turn's text and where it is written: content may join several fields or parts. */
export interface ContentPart {
  /** Path of the JSON string holding this text. */
  path: JsonPath;
  text: string;
  /** Offset of this part inside `Turn.content`. */
  offset: number;
  /**
   * For JSON text written in a string (tool-call arguments) read with its escapes decoded: where each offset of `text`
   * (and its end) is in that string. Absent: `text` is the string itself.
   */
  sourceOffsets?: Int32Array;
}

export interface ToolCall {
  /** Path of the call object (OpenAI tool_calls[i], legacy function_call, or a ShareGPT function_call turn's value). */
  path: JsonPath;
  id: string | undefined;
  name: string | undefined;
  /** Arguments as written: a JSON string (OpenAI) or an object (ShareGPT); undefined when missing. */
  arguments: unknown;
}

export interface Turn {
  /** Canonical role, or null when the written role is not one the format knows. */
  role: Role | null;
  /** The role exactly as written (e.g. "human", "gpt", "function_call"). */
  writtenRole: string;
  /** The turn's text; parts joined with a blank line. Tool-call turns may have empty content. */
  content: string;
  parts: ContentPart[];
  toolCalls: ToolCall[];
  /** For tool results: the call id they answer (OpenAI `tool_call_id`). */
  toolCallId: string | undefined;
  /** The message's `name` as written (a speaker, or the function a tool result answers); templates may render it. */
  name?: string;
  /**
   * The answer's reasoning as written under `reasoning_content` (Qwen3, DeepSeek-R1) or `thinking`
   * (gpt-oss): trainers pass the message as is and templates render it, trained with the turn.
   */
  reasoningContent?: string;
  thinking?: string;
  /** Whether the trainer computes loss on this turn (assistant turns, unless weight 0). */
  trainable: boolean;
  /** Per-turn loss weight when given: OpenAI's `weight` (0 or 1) or `loss_weight` (a factor). */
  weight: number | undefined;
  /** Path of the turn object, or of its main field for column formats (Alpaca). */
  path: JsonPath;
  /** Path of the role value, when the role is written explicitly. */
  rolePath: JsonPath | undefined;
  /** Path of the main content value (where an empty or missing content is reported). */
  contentPath: JsonPath;
  /** A column turn whose column is not in the record (an Alpaca record without "output"): read as empty, not written. */
  missing?: true;
}

export interface Conversation {
  shape: RecordShape;
  format: RecordFormat;
  /** The turns the trainer sees; for preference data: the prompt and the chosen answer. */
  turns: Turn[];
  /** Preference data only: the rejected answer's turns (the prompt is shared). */
  rejected: Turn[] | undefined;
  /** Tool definitions offered to the model, as written, and where. */
  tools: { value: unknown; path: JsonPath } | undefined;
  /** True for plain `text` records: no roles, the whole text is trained. */
  plainText: boolean;
  /** Turns past maxTurnsChecked that were not read (a generated record of a million messages); absent when none. */
  omittedTurns?: number;
  /**
   * The column names and role tags this record was read with, when they differ from the file's
   * (ShareGPT's column holding role/content turns: see recordMapping in formats.ts). Rules that name
   * tags read this first.
   */
  mapping?: FormatMapping;
}

/**
 * A turn as Hugging Face chat templates read a message (the linter's exact token counts and the trainer
 * render through the same): tool-call arguments as an object, transformers' convention, since templates
 * such as Llama 3.1's and Mistral's write them with `tojson`, which would quote a JSON string a second
 * time (arguments that are not valid JSON stay the text written); a tool result with its call's id;
 * the message's name and reasoning under the keys they were written with.
 */
export function templateMessage(turn: Turn, role: string): Record<string, unknown> & { role: string; content: string } {
  const message: Record<string, unknown> & { role: string; content: string } = { role, content: turn.content };
  if (turn.toolCalls.length > 0) {
    message.tool_calls = turn.toolCalls.map((call) => ({
      ...(call.id !== undefined ? { id: call.id } : {}),
      type: 'function',
      function: { name: call.name ?? '', arguments: typeof call.arguments === 'string' ? parsedOrText(call.arguments) : (call.arguments ?? {}) },
    }));
  }
  // Templates that check tool results against their calls (Mistral) read the id.
  if (turn.toolCallId !== undefined) message.tool_call_id = turn.toolCallId;
  // transformers passes the message dict as is: each key only when written, so `is defined` tests hold.
  if (turn.name !== undefined) message.name = turn.name;
  if (turn.reasoningContent !== undefined) message.reasoning_content = turn.reasoningContent;
  if (turn.thinking !== undefined) message.thinking = turn.thinking;
  return message;
}

/**
 * The reasoning a turn's template renders and trains with it (both keys joined in the rare turn that
 * writes both), or undefined: counters add it to the turn's own tokens.
 */
export function turnReasoning(turn: Turn): string | undefined {
  if (turn.thinking === undefined) return turn.reasoningContent;
  return turn.reasoningContent === undefined ? turn.thinking : `${turn.reasoningContent}\n${turn.thinking}`;
}

/** The conversation's tools as templates read them: a list of function specs (LLaMA-Factory's column holds it as a JSON string), or undefined. */
export function templateTools(conversation: Conversation): unknown[] | undefined {
  const value = conversation.tools?.value;
  const tools = typeof value === 'string' ? parsedOrText(value) : value;
  return Array.isArray(tools) ? (tools as unknown[]) : undefined;
}
