/**
 * Axolotl config (YAML) for `accelerate launch -m axolotl.cli.train axolotl.yaml`. Chat data (OpenAI
 * messages, ShareGPT) uses Axolotl's `chat_template` type with the file's field and role mappings, so
 * the model's own chat template renders it as in Tunesmith; Alpaca uses Axolotl's `alpaca` type.
 * Field names follow Axolotl's config reference (docs/config.qmd, docs/dataset-formats/).
 */
import type { Role } from '../conversation';
import { sharegptRoles } from '../formats';
import { headerLines, isPreferenceDataset, isUnpairedDataset, mediaDifference, unpairedDifferences, unpairedQuestionColumn, type YamlEntry, type YamlPath, yamlText } from './common';
import { llamaFactoryTemplate } from './llamafactory';
import { projectionName, type Recipe, type RecipeDataset, RecipeError, type RecipeModel, type RecipeSettings } from './types';

export const AXOLOTL_FILE = 'axolotl.yaml';

interface DatasetEntry {
  entry: Record<string, unknown>;
  notes: { key: string; comment: string }[];
}

function chatTemplateEntry(dataset: RecipeDataset, settings: RecipeSettings, differences: string[]): DatasetEntry {
  const openai = dataset.shape === 'openai-chat';
  const { columns, tags } = dataset.mapping;
  const entry: Record<string, unknown> = { path: dataset.path, ds_type: 'json', split: 'train', type: 'chat_template' };
  const notes: { key: string; comment: string }[] = [];
  if (openai) {
    entry['field_messages'] = 'messages';
    entry['message_property_mappings'] = { role: 'role', content: 'content' };
    entry['roles'] = { system: ['system', 'developer'], user: ['user'], assistant: ['assistant'], tool: ['tool', 'function'] };
    notes.push({ key: 'roles', comment: "Tunesmith reads 'developer' as system and 'function' as tool; so does this mapping." });
    if (dataset.features.legacyFunctionCalls) {
      differences.push(`${dataset.path}: Axolotl passes a message's "tool_calls" to the chat template but not OpenAI's legacy "function_call": those assistant turns train as empty text, where Tunesmith renders them as tool calls. Rewrite each function_call as "tool_calls": [{"type": "function", "function": {...}}] first.`);
    }
  } else {
    entry['field_messages'] = columns.messages;
    entry['message_property_mappings'] = { role: tags.role, content: tags.content };
    // A system column only when records have one (Axolotl reads "system" by default anyway).
    if (dataset.keys.includes(columns.system)) entry['field_system'] = columns.system;
    // Axolotl's roles replace its defaults (which map human and gpt) rather than add to them: list
    // every written role Tunesmith accepts here (role/content conversations may say human/gpt).
    const grouped: Record<Role, string[]> = { system: [], user: [], assistant: [], tool: [] };
    for (const [written, role] of Object.entries(sharegptRoles(dataset.mapping))) if (!grouped[role].includes(written)) grouped[role].push(written);
    entry['roles'] = grouped;
    const described = (['user', 'assistant', 'tool', 'system'] as const).map((role) => `${grouped[role].join(' and ')} -> ${role}`).join(', ');
    notes.push({
      key: 'roles',
      comment: `${tags.role === 'role' ? 'Roles' : 'ShareGPT role tags'}${dataset.mappingFromDatasetInfo ? ' (from dataset_info.json)' : ''} mapped as Tunesmith maps them: ${described}.`,
    });
    if (dataset.features.toolCalls) {
      differences.push(
        `${dataset.path}: '${tags.function}' turns are tool calls in Tunesmith (rendered through the chat template's tool-call syntax); Axolotl maps them to plain assistant text holding the call's JSON.`,
      );
    }
  }
  if (dataset.features.tools) {
    const toolsColumn = openai ? 'tools' : columns.tools;
    if (dataset.keys.includes(toolsColumn)) entry['field_tools'] = toolsColumn;
    else if (openai && dataset.keys.includes('functions')) {
      differences.push(`${dataset.path}: OpenAI's legacy "functions" list is not passed to the chat template (Axolotl reads a "tools" list of {"type": "function", "function": {...}}); Tunesmith renders it. Rewrite it as "tools" first.`);
    }
  }
  switch (settings.labels) {
    case 'assistant':
      entry['roles_to_train'] = ['assistant'];
      entry['train_on_eos'] = 'turn';
      break;
    case 'all':
      entry['roles_to_train'] = ['system', 'user', 'assistant', 'tool'];
      entry['train_on_eos'] = 'all';
      break;
    case 'last-assistant':
      // Axolotl's documented way to train the last message only: leave both empty.
      entry['roles_to_train'] = null;
      entry['train_on_eos'] = null;
      notes.push({
        key: 'roles_to_train',
        comment: 'Empty roles_to_train and train_on_eos: Axolotl then trains the last message only (its legacy mode), which is Tunesmith\'s "last assistant turn" when conversations end with the assistant.',
      });
      differences.push("Loss on the last assistant turn: Axolotl has no such option; with roles_to_train and train_on_eos left empty it trains the conversation's last message, which differs only for records that do not end with an assistant turn.");
      break;
  }
  if (dataset.features.weights) {
    if (settings.labels === 'last-assistant') {
      differences.push(`${dataset.path}: per-message 'weight' is ignored by this recipe (Axolotl's last-message mode cannot combine with message_field_training).`);
    } else {
      entry['message_field_training'] = 'weight';
      notes.push({ key: 'message_field_training', comment: "OpenAI per-message 'weight' (0/1) decides whether a turn is trained, as in Tunesmith." });
    }
  }
  return { entry, notes };
}

function alpacaEntry(dataset: RecipeDataset, settings: RecipeSettings, differences: string[]): DatasetEntry {
  const { columns } = dataset.mapping;
  const defaults = columns.prompt === 'instruction' && columns.query === 'input' && columns.response === 'output';
  const entry: Record<string, unknown> = { path: dataset.path, ds_type: 'json', split: 'train' };
  if (defaults) entry['type'] = 'alpaca';
  else {
    entry['type'] = {
      field_system: columns.system,
      field_instruction: columns.prompt,
      field_input: columns.query,
      field_output: columns.response,
      format: '### Instruction:\n{instruction}\n\n### Input:\n{input}\n\n### Response:\n',
      no_input_format: '### Instruction:\n{instruction}\n\n### Response:\n',
    };
  }
  differences.push(
    `${dataset.path}: Axolotl's alpaca type writes the Alpaca prompt text ("### Instruction: ... ### Response:"); Tunesmith renders the instruction (and input, after a blank line) as a user turn and the output as an assistant turn through the model's chat template. Convert the file to OpenAI messages (Tunesmith: Convert) to train on the chat template in Axolotl too.`,
  );
  if (dataset.features.history) differences.push(`${dataset.path}: the '${columns.history}' column (earlier turns) is not read by Axolotl's alpaca type; Tunesmith trains those turns.`);
  if (settings.labels === 'all') differences.push(`${dataset.path}: train_on_inputs trains the Alpaca prompt text, not chat-template tokens.`);
  return { entry, notes: [] };
}

function promptCompletionEntry(dataset: RecipeDataset, differences: string[]): DatasetEntry {
  if (dataset.features.conversationalSides) {
    throw new RecipeError(`${dataset.path}: prompt/completion records with lists of messages have no Axolotl dataset type; convert the file to OpenAI messages (Tunesmith: Convert) or export for TRL.`);
  }
  differences.push(`${dataset.path}: Axolotl joins prompt and completion as raw text; Tunesmith renders them as a user and an assistant turn through the chat template.`);
  return {
    entry: { path: dataset.path, ds_type: 'json', split: 'train', type: { field_instruction: 'prompt', field_output: 'completion', format: '{instruction}', no_input_format: '{instruction}' } },
    notes: [],
  };
}

/** torchtune's {input, output} pairs: the same user-defined raw-text type as prompt/completion, with its columns. */
function inputOutputEntry(dataset: RecipeDataset, differences: string[]): DatasetEntry {
  differences.push(`${dataset.path}: Axolotl joins input and output as raw text; Tunesmith renders them as a user and an assistant turn through the chat template.`);
  return {
    entry: { path: dataset.path, ds_type: 'json', split: 'train', type: { field_instruction: 'input', field_output: 'output', format: '{instruction}', no_input_format: '{instruction}' } },
    notes: [],
  };
}

function datasetEntry(dataset: RecipeDataset, settings: RecipeSettings, differences: string[]): DatasetEntry {
  switch (dataset.shape) {
    case 'input-output':
      return inputOutputEntry(dataset, differences);
    case 'openai-chat':
    case 'sharegpt':
      return chatTemplateEntry(dataset, settings, differences);
    case 'alpaca':
      return alpacaEntry(dataset, settings, differences);
    case 'prompt-completion':
      return promptCompletionEntry(dataset, differences);
    case 'question-answer': {
      // Axolotl's own question/answer types, by the columns the records write.
      const type = dataset.keys.includes('response') ? 'alpaca_w_system.load_open_orca' : dataset.keys.includes('context') ? 'context_qa.load' : 'alpaca_chat.load_qa';
      return { entry: { path: dataset.path, ds_type: 'json', split: 'train', type }, notes: [] };
    }
    case 'text':
      return { entry: { path: dataset.path, ds_type: 'json', split: 'train', type: 'completion', field: 'text' }, notes: [] };
    case 'segments':
      // Axolotl's template-free format: the segments joined as written, loss on those labelled true (as Tunesmith trains them).
      return { entry: { path: dataset.path, ds_type: 'json', split: 'train', type: 'input_output' }, notes: [] };
    case 'prompt-only':
      throw new RecipeError(`${dataset.path}: prompt-only records have no answer to train on; they are for online training (Axolotl rl: grpo), which generates the answers and needs a reward function that Tunesmith cannot write.`);
    case 'stepwise':
      throw new RecipeError(`${dataset.path}: stepwise supervision (a label per step) trains a process reward model (Axolotl's stepwise_supervised datasets with process_reward_model), a token classifier rather than a chat adapter Tunesmith can load; supervised training would also teach the steps labelled false.`);
    default:
      throw new RecipeError(`${dataset.path}: no Axolotl dataset type for ${dataset.shape} records`);
  }
}

/** The prompt format Axolotl's built-in KTO types write (they render the prompt themselves), from the model family. */
function ktoTemplateFamily(model: RecipeModel): 'chatml' | 'llama3' | undefined {
  const template = llamaFactoryTemplate(model);
  return template === 'qwen' || template === 'qwen3' ? 'chatml' : template === 'llama3' ? 'llama3' : undefined;
}

/**
 * One KTO dataset entry (docs/rlhf.qmd, prompt_strategies/kto): the built-in types chatml.* and
 * llama3.* write the prompt in that template and keep the "label" column; user_defined.default maps
 * any string columns (label included) but writes raw text. No type reads a list of prompt messages.
 */
function ktoEntry(dataset: RecipeDataset, model: RecipeModel, differences: string[]): DatasetEntry {
  const family = ktoTemplateFamily(model);
  const label = dataset.features.unpairedLabel ?? 'label';
  const elsewhere = 'export for LLaMA-Factory (stage kto) or TRL (KTOTrainer) instead';
  const Elsewhere = 'Export for LLaMA-Factory (stage kto) or TRL (KTOTrainer) instead';
  let builtIn: string | undefined;
  let fields: { prompt: string; completion: string } | undefined;
  if (dataset.shape === 'unpaired-columns') {
    const question = unpairedQuestionColumn(dataset);
    if (question === 'both') throw new RecipeError(`${dataset.path}: some KTO records hold the question under "instruction" and others under "question"; an Axolotl KTO type reads one of them. Rename one column throughout the file.`);
    builtIn = question === 'instruction' ? 'argilla' : 'intel';
    fields = { prompt: question, completion: 'completion' };
  } else if (dataset.shape === 'prompt-completion' && dataset.features.promptInCompletion) {
    if (!dataset.features.completionPairs) {
      throw new RecipeError(`${dataset.path}: Axolotl's argilla_chat KTO types read the completion list as exactly one user and one assistant message; some completions here hold other turns (a system message, earlier turns). ${Elsewhere}.`);
    }
    if (family === undefined) {
      throw new RecipeError(`${dataset.path}: Axolotl reads KTO completions that hold the conversation only with its chatml.argilla_chat or llama3.argilla_chat types, and Tunesmith cannot tell that ${model.nameOrPath} uses ChatML or the Llama 3 template; ${elsewhere}.`);
    }
    builtIn = 'argilla_chat';
  } else if (dataset.shape === 'prompt-completion' && !dataset.features.conversationalSides) {
    builtIn = 'prompt_pairs';
    fields = { prompt: 'prompt', completion: 'completion' };
  } else {
    throw new RecipeError(`${dataset.path}: Axolotl's KTO types read a string prompt and a string completion (or argilla/kto-mix-15k's [user, assistant] completion); ${
        dataset.features.conversationalSides
          ? 'these records hold lists of messages. Export for TRL instead (its KTOTrainer renders them through the chat template).'
          : `these ${dataset.shape} records are laid out otherwise. ${Elsewhere}.`
      }`);
  }
  const entry: Record<string, unknown> = { path: dataset.path, split: 'train' };
  const notes: { key: string; comment: string }[] = [];
  if (family !== undefined && label === 'label') {
    entry['type'] = `${family}.${builtIn}`;
    const template = family === 'chatml' ? 'ChatML' : 'Llama 3';
    notes.push({
      key: 'type',
      comment:
        fields === undefined
          ? `Writes the ${template} prompt from the completion list's user message and trains its assistant message; the label column stays "label".`
          : `Writes the ${template} prompt around the ${fields.prompt} column (and the system column when a record has one); the label column stays "label".`,
    });
    differences.push(`${dataset.path}: Axolotl's ${family}.${builtIn} KTO type writes the ${family === 'chatml' ? 'ChatML' : 'Llama 3'} prompt itself rather than through the tokenizer's chat template, so anything the template adds on its own (such as a default system prompt) is not there.`);
  } else {
    if (fields === undefined) throw new RecipeError(`${dataset.path}: Axolotl's KTO types cannot read this label column ("${label}"); ${elsewhere}.`);
    entry['type'] = { field_prompt: fields.prompt, field_completion: fields.completion, field_label: label, prompt_format: '{prompt}', completion_format: '{completion}' };
    notes.push({
      key: 'type',
      comment: `CHECK: user_defined KTO writes prompt_format and completion_format as they are (raw text); write them in ${model.nameOrPath}'s chat template ({prompt} and {completion} are the fields).`,
    });
    differences.push(
      `${dataset.path}: Axolotl's built-in KTO types write ChatML or the Llama 3 template, and Tunesmith cannot tell that ${model.nameOrPath} uses either: the user_defined type joins prompt and completion as raw text unless you write prompt_format and completion_format in the model's chat template.${dataset.features.system ? ' The system column is not read.' : ''}`,
    );
  }
  return { entry, notes };
}

/**
 * One DPO dataset entry (docs/rlhf.qmd, prompt_strategies/dpo): chat_template.default renders the
 * prompt messages (or a string prompt, as a user message) and each answer through the tokenizer's
 * chat template, as Tunesmith does; the chatml.* / llama3.* argilla and intel types write their own
 * template but read the system column, so they are used when records have one and the family is known.
 */
function dpoEntry(dataset: RecipeDataset, model: RecipeModel, differences: string[]): DatasetEntry {
  const family = ktoTemplateFamily(model);
  const entry: Record<string, unknown> = { path: dataset.path, split: 'train' };
  const notes: { key: string; comment: string }[] = [];
  const chatTemplate = (messages: string, chosen: string, rejected: string): void => {
    Object.assign(entry, { type: 'chat_template.default', field_messages: messages, field_chosen: chosen, field_rejected: rejected });
    notes.push({ key: 'type', comment: "The prompt and both answers go through the model's chat template (a string prompt becomes one user message)." });
  };
  switch (dataset.shape) {
    case 'preference-messages':
      chatTemplate('messages', 'chosen', 'rejected');
      // chat_template.default maps every role it meets: list each one Tunesmith accepts.
      entry['roles'] = { system: ['system', 'developer'], user: ['user'], assistant: ['assistant'], tool: ['tool', 'function'] };
      if (dataset.features.toolCalls || dataset.features.tools) differences.push(`${dataset.path}: chat_template.default keeps only each message's role and content: tool calls and tool definitions are not passed to the template; Tunesmith renders them.`);
      break;
    case 'preference-trl':
      if (!dataset.keys.includes('prompt')) {
        throw new RecipeError(`${dataset.path}: Axolotl's DPO types read the prompt from a column of its own, and these pairs hold it inside "chosen" and "rejected" (TRL's implicit prompt); export for TRL (DPOTrainer extracts it).`);
      }
      chatTemplate('prompt', 'chosen', 'rejected');
      if (dataset.features.conversationalSides) notes.push({ key: 'field_chosen', comment: 'Of an answer written as a list of messages, chat_template.default reads the last one.' });
      break;
    case 'preference-argilla':
    case 'preference-intel': {
      const argilla = dataset.shape === 'preference-argilla';
      if (dataset.features.system && family !== undefined) {
        entry['type'] = `${family}.${argilla ? 'argilla' : 'intel'}`;
        notes.push({ key: 'type', comment: `Writes the ${family === 'chatml' ? 'ChatML' : 'Llama 3'} prompt with the system column when a record has one.` });
        differences.push(`${dataset.path}: Axolotl's ${entry['type'] as string} DPO type writes the ${family === 'chatml' ? 'ChatML' : 'Llama 3'} prompt itself rather than through the tokenizer's chat template, so anything the template adds on its own (such as a default system prompt) is not there.`);
      } else {
        chatTemplate(argilla ? 'instruction' : 'question', argilla ? 'chosen_response' : 'chosen', argilla ? 'rejected_response' : 'rejected');
        if (dataset.features.system) differences.push(`${dataset.path}: chat_template.default does not read the "system" column, and Axolotl's argilla/intel types that do write ChatML or the Llama 3 template, which Tunesmith cannot tell ${model.nameOrPath} uses: those records train without their system prompt.`);
      }
      break;
    }
    case 'preference-sharegpt': {
      const { columns, tags } = dataset.mapping;
      chatTemplate(columns.messages, columns.chosen, columns.rejected);
      entry['message_property_mappings'] = { role: tags.role, content: tags.content };
      const grouped: Record<Role, string[]> = { system: [], user: [], assistant: [], tool: [] };
      for (const [written, role] of Object.entries(sharegptRoles(dataset.mapping))) if (!grouped[role].includes(written)) grouped[role].push(written);
      entry['roles'] = grouped;
      if (dataset.keys.includes(columns.system)) differences.push(`${dataset.path}: chat_template.default does not read the "${columns.system}" column: those records train without their system prompt (a system turn inside "${columns.messages}" is read).`);
      break;
    }
    case 'preference-alpaca':
      throw new RecipeError(`${dataset.path}: LLaMA-Factory's Alpaca ranking layout (instruction and input joined, then chosen/rejected strings) has no Axolotl DPO type that joins the two prompt columns; export for LLaMA-Factory (stage dpo) or TRL (DPOTrainer).`);
    default:
      throw new RecipeError(`${dataset.path}: no Axolotl DPO type reads ${dataset.shape === 'preference-openai' ? "OpenAI's DPO layout (the prompt under input.messages)" : `${dataset.shape} records`}; export for TRL (DPOTrainer), whose script converts it.`);
  }
  return { entry, notes };
}

function axolotlRlRecipe(kind: 'kto' | 'dpo', datasets: readonly RecipeDataset[], settings: RecipeSettings, sequenceLength: { value: number; reason: string }): Recipe {
  const differences: string[] = [];
  const built = datasets.map((dataset) => (kind === 'kto' ? ktoEntry(dataset, settings.model, differences) : dpoEntry(dataset, settings.model, differences)));
  for (const dataset of datasets) {
    const media = mediaDifference('Axolotl', dataset);
    if (media !== undefined) differences.push(media);
  }
  if (kind === 'kto') differences.push(...unpairedDifferences('Axolotl', settings));
  else {
    differences.push("Preference pairs train with DPO (beta 0.1, sigmoid loss): Tunesmith's own trainer trains the chosen answer with supervised loss; the DPO settings are not Tunesmith settings.");
    if (settings.labels !== 'assistant') differences.push(`DPO puts the loss on the answers only: the Tunesmith labels setting (${settings.labels}) has no equivalent here.`);
  }
  const usesChatTemplate = built.some((item) => item.entry['type'] === 'chat_template.default');
  const notes: { path: YamlPath; comment: string }[] = [];
  built.forEach((item, index) => {
    for (const note of item.notes) notes.push({ path: ['datasets', index, note.key], comment: note.comment });
  });
  const command = `accelerate launch -m axolotl.cli.train ${AXOLOTL_FILE}`;
  const entries: YamlEntry[] = [
    { key: 'base_model', value: settings.model.nameOrPath, section: 'model' },
    ...(usesChatTemplate ? [{ key: 'chat_template', value: 'tokenizer_default', comment: "The model's own chat template (tokenizer_config.json), as Tunesmith uses." }] : []),
    ...(kind === 'kto'
      ? [
          { key: 'rl', value: 'kto', section: 'KTO', comment: 'Unpaired preference data: each completion carries a boolean label (desirable or not).' },
          { key: 'rl_beta', value: 0.1 },
          { key: 'kto_desirable_weight', value: 1 },
          { key: 'kto_undesirable_weight', value: 1 },
          { key: 'remove_unused_columns', value: false, comment: "Axolotl's KTO setup keeps the label column for the trainer." },
        ]
      : [
          { key: 'rl', value: 'dpo', section: 'DPO', comment: 'Preference pairs: a chosen and a rejected answer to the same prompt.' },
          { key: 'rl_beta', value: 0.1 },
        ]),
    { key: 'datasets', value: built.map((item) => item.entry), section: 'data' },
    { key: 'dataset_prepared_path', value: 'last_run_prepared' },
    { key: 'val_set_size', value: settings.evalSplit, comment: settings.evalSplit > 0 ? 'Tunesmith eval split: this fraction of the records is held out.' : 'No eval split in Tunesmith.' },
    { key: 'sequence_len', value: sequenceLength.value, comment: `From Tunesmith's token statistics: ${sequenceLength.reason}.` },
    { key: 'excess_length_strategy', value: settings.overLength, comment: `Tunesmith over-length: ${settings.overLength} (records longer than sequence_len are ${settings.overLength === 'drop' ? 'left out' : 'cut to it'}).` },
    { key: 'sample_packing', value: false, comment: kind === 'kto' ? 'KTO does not support sample packing.' : 'No packing: each pair is its own example, as in Tunesmith.' },
    ...loraAndOptimizerEntries(settings),
    kind === 'kto'
      ? {
          key: 'micro_batch_size',
          value: 2,
          comment: "TRL's KTOTrainer refuses a per-GPU batch of 1 (its KL estimate pairs each completion with another one in the batch); raise it for your GPUs.",
        }
      : { key: 'micro_batch_size', value: 1, comment: 'Batch shape is not a Tunesmith setting: raise micro_batch_size for your GPUs (per GPU).' },
    { key: 'gradient_accumulation_steps', value: kind === 'kto' ? 4 : 8 },
    ...runEntries(settings),
  ];
  const header = headerLines('axolotl', datasets, settings, sequenceLength, differences, command);
  return { target: 'axolotl', files: [{ name: AXOLOTL_FILE, content: yamlText(header, entries, notes) }], command, differences, sequenceLength };
}

/** The LoRA adapter and the optimizer as Tunesmith's trainer sets them up: the same in every Axolotl recipe. */
function loraAndOptimizerEntries(settings: RecipeSettings): YamlEntry[] {
  return [
    { key: 'adapter', value: 'lora', section: 'LoRA' },
    { key: 'lora_r', value: settings.rank },
    { key: 'lora_alpha', value: settings.alpha },
    { key: 'lora_dropout', value: 0, comment: "Tunesmith's trainer uses no LoRA dropout." },
    { key: 'lora_target_modules', value: settings.targets.map(projectionName) },
    { key: 'output_dir', value: settings.outputDir, comment: 'The adapter (adapter_config.json + adapter_model.safetensors) lands here; load it with Tunesmith: Load Adapter.' },
    { key: 'save_safetensors', value: true },
    { key: 'num_epochs', value: settings.epochs, section: 'training' },
    { key: 'learning_rate', value: settings.learningRate },
    { key: 'lr_scheduler', value: 'cosine', comment: "Tunesmith's default schedule: cosine decay, no warmup, AdamW, gradient clipping at 1.0, no weight decay." },
    { key: 'warmup_steps', value: 0 },
    { key: 'optimizer', value: 'adamw_torch' },
    { key: 'weight_decay', value: 0 },
    { key: 'max_grad_norm', value: 1 },
  ];
}

/** Precision, checkpointing, logging, saving and the seed: the same in every Axolotl recipe. */
function runEntries(settings: RecipeSettings): YamlEntry[] {
  return [
    { key: 'bf16', value: 'auto' },
    { key: 'gradient_checkpointing', value: true },
    { key: 'logging_steps', value: 1 },
    { key: 'saves_per_epoch', value: 1 },
    ...(settings.evalSplit > 0 ? [{ key: 'evals_per_epoch', value: 1 }] : []),
    { key: 'seed', value: settings.seed },
  ];
}

export function axolotlRecipe(datasets: readonly RecipeDataset[], settings: RecipeSettings, sequenceLength: { value: number; reason: string }): Recipe {
  const unpaired = datasets.filter(isUnpairedDataset).length;
  if (unpaired > 0 && unpaired < datasets.length) throw new RecipeError('Axolotl trains KTO data (each completion labelled, rl: kto) and instruction data (supervised) in separate runs: export them separately.');
  if (unpaired > 0) return axolotlRlRecipe('kto', datasets, settings, sequenceLength);
  const preference = datasets.filter(isPreferenceDataset).length;
  if (preference > 0 && preference < datasets.length) throw new RecipeError('Axolotl trains preference pairs (rl: dpo) and instruction data (supervised) in separate runs: export them separately.');
  if (preference > 0) return axolotlRlRecipe('dpo', datasets, settings, sequenceLength);
  const differences: string[] = [];
  const built = datasets.map((dataset) => datasetEntry(dataset, settings, differences));
  for (const dataset of datasets) {
    const media = mediaDifference('Axolotl', dataset);
    if (media !== undefined) differences.push(media);
  }
  const usesChatTemplate = datasets.some((dataset) => dataset.shape === 'openai-chat' || dataset.shape === 'sharegpt');
  const notes: { path: YamlPath; comment: string }[] = [];
  built.forEach((item, index) => {
    for (const note of item.notes) notes.push({ path: ['datasets', index, note.key], comment: note.comment });
  });
  const trainOnInputs = settings.labels === 'all';
  const command = `accelerate launch -m axolotl.cli.train ${AXOLOTL_FILE}`;
  const entries: YamlEntry[] = [
    { key: 'base_model', value: settings.model.nameOrPath, section: 'model' },
    ...(usesChatTemplate
      ? [{ key: 'chat_template', value: 'tokenizer_default', comment: "The model's own chat template (tokenizer_config.json), as Tunesmith uses." }]
      : []),
    { key: 'datasets', value: built.map((item) => item.entry), section: 'data' },
    { key: 'dataset_prepared_path', value: 'last_run_prepared' },
    { key: 'val_set_size', value: settings.evalSplit, comment: settings.evalSplit > 0 ? 'Tunesmith eval split: this fraction of the records is held out.' : 'No eval split in Tunesmith.' },
    { key: 'sequence_len', value: sequenceLength.value, comment: `From Tunesmith's token statistics: ${sequenceLength.reason}.` },
    { key: 'excess_length_strategy', value: settings.overLength, comment: `Tunesmith over-length: ${settings.overLength} (records longer than sequence_len are ${settings.overLength === 'drop' ? 'left out' : 'cut to it'}).` },
    { key: 'sample_packing', value: false },
    { key: 'train_on_inputs', value: trainOnInputs, comment: trainOnInputs ? 'Tunesmith labels "all": every token carries the loss.' : 'Loss on responses only (Tunesmith labels: ' + settings.labels + ').' },
    ...loraAndOptimizerEntries(settings),
    { key: 'micro_batch_size', value: 1, comment: 'Batch shape is not a Tunesmith setting: raise micro_batch_size for your GPUs (per GPU).' },
    { key: 'gradient_accumulation_steps', value: 8 },
    ...runEntries(settings),
  ];
  const header = headerLines('axolotl', datasets, settings, sequenceLength, differences, command);
  return { target: 'axolotl', files: [{ name: AXOLOTL_FILE, content: yamlText(header, entries, notes) }], command, differences, sequenceLength };
}
