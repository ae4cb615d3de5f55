/** The golden-file cases shared by the recipe tests: one per record format, plus custom role tags. */
import * as path from 'node:path';
import { defaultRecipeSettings, type RecipeSettings } from '../../../server/src/service/recipes/index';

export const fixtures = path.resolve(__dirname, '../../../../test/fixtures/recipes');

export const goldenSettings: RecipeSettings = {
  ...defaultRecipeSettings,
  model: { nameOrPath: 'Qwen/Qwen2.5-0.5B-Instruct', architecture: 'Qwen2ForCausalLM', maxPositionEmbeddings: 32768 },
  evalSplit: 0.1,
};

export const cases: { name: string; files: string[] }[] = [
  { name: 'openai-chat', files: ['openai-chat.jsonl'] },
  { name: 'sharegpt', files: ['sharegpt.json'] },
  { name: 'sharegpt-custom-tags', files: ['custom-tags/dialogues.jsonl'] },
  { name: 'alpaca', files: ['alpaca.json'] },
  { name: 'prompt-completion', files: ['prompt-completion.jsonl'] },
  { name: 'preference', files: ['preference.jsonl'] },
  { name: 'preference-openai', files: ['preference-openai.jsonl'] },
  { name: 'preference-sharegpt', files: ['preference-sharegpt.json'] },
  { name: 'preference-alpaca', files: ['preference-alpaca.json'] },
  { name: 'preference-messages', files: ['preference-messages.jsonl'] },
  { name: 'preference-prompt-inside', files: ['preference-prompt-inside.jsonl'] },
  { name: 'segments', files: ['segments.jsonl'] },
  // role/content turns under "conversations" written with human/gpt roles (Axolotl chat_template reads them)
  { name: 'chat-conversations', files: ['chat-conversations.jsonl'] },
  { name: 'sharegpt-messages', files: ['sharegpt-messages.jsonl'] },
  // torchtune instruct_dataset default columns
  { name: 'input-output', files: ['input-output.jsonl'] },
  // KTO (unpaired preference): TRL standard and conversational, Axolotl argilla/intel columns, kto-mix-15k, LLaMA-Factory kto_tag
  { name: 'kto', files: ['kto.jsonl'] },
  { name: 'kto-conversational', files: ['kto-conversational.jsonl'] },
  { name: 'kto-columns', files: ['kto-columns.jsonl'] },
  { name: 'kto-question', files: ['kto-question.jsonl'] },
  { name: 'kto-chat', files: ['kto-chat.jsonl'] },
  { name: 'kto-tag', files: ['kto-tag/feedback.jsonl'] },
  // Axolotl's argilla and intel DPO columns
  { name: 'preference-argilla', files: ['preference-argilla.jsonl'] },
  { name: 'preference-intel', files: ['preference-intel.jsonl'] },
  // OpenAI's "developer" role (read as system)
  { name: 'openai-developer', files: ['openai-developer.jsonl'] },
  // TRL's prompt-only (GRPO, RLOO), stepwise supervision (PRMTrainer) and implicit-prompt preference (standard) types
  { name: 'prompt-only', files: ['prompt-only.jsonl'] },
  { name: 'stepwise', files: ['stepwise.jsonl'] },
  { name: 'preference-implicit', files: ['preference-implicit.jsonl'] },
  // OpenAI's legacy function calling (function_call, "function" results, "functions")
  { name: 'openai-functions', files: ['openai-functions.jsonl'] },
  // LLaMA-Factory's multimodal layout (mllm_demo): <image> placeholders and an images column named by dataset_info.json
  { name: 'mllm', files: ['mllm/pictures.jsonl'] },
];
