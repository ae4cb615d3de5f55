/**
 * LLaMA-Factory recipe: a dataset_info.json (one entry per file, with `formatting`, `columns` and
 * `tags` as its data/README describes) and a training YAML for `llamafactory-cli train` (stage sft,
 * or dpo for preference pairs; finetuning_type lora; argument names from its hparams dataclasses).
 */
import { headerLines, isPreferenceDataset, isUnpairedDataset, truncationDifference, unpairedDifferences, unpairedQuestionColumn, type YamlEntry, yamlText } from './common';
import { projectionName, type Recipe, type RecipeDataset, RecipeError, type RecipeModel, type RecipeSettings } from './types';

export const LLAMAFACTORY_TRAIN_FILE = 'llamafactory_train.yaml';
export const LLAMAFACTORY_INFO_FILE = 'dataset_info.json';

/**
 * LLaMA-Factory renders with its own named templates rather than the tokenizer's chat_template. The
 * one that matches the model, from its name or architecture; undefined when Tunesmith cannot tell.
 */
export function llamaFactoryTemplate(model: RecipeModel): string | undefined {
  // The architecture decides where it is unambiguous (Qwen2 vs Qwen3); Llama's differs by version.
  const byArchitecture: Record<string, string> = { Qwen3ForCausalLM: 'qwen3', Qwen2ForCausalLM: 'qwen', MistralForCausalLM: 'mistral' };
  const fromArchitecture = model.architecture !== undefined ? byArchitecture[model.architecture] : undefined;
  if (fromArchitecture !== undefined) return fromArchitecture;
  const name = model.nameOrPath.toLowerCase();
  const byName: [RegExp, string][] = [
    [/qwen3/, 'qwen3'],
    [/qwen2|qwen-?1\.5|qwen/, 'qwen'],
    [/llama-?3/, 'llama3'],
    [/llama-?2/, 'llama2'],
    [/mistral|mixtral/, 'mistral'],
    [/gemma/, 'gemma'],
    [/phi-?4/, 'phi4'],
    [/phi-?3/, 'phi'],
    [/deepseek/, 'deepseek3'],
  ];
  for (const [pattern, template] of byName) if (pattern.test(name)) return template;
  return undefined;
}

/**
 * The dataset_info.json entry of a KTO file: LLaMA-Factory's converters read a boolean kto_tag
 * column beside Alpaca columns (the response is the completion) or a ShareGPT messages column
 * (the last message is the completion).
 */
function unpairedInfoEntry(dataset: RecipeDataset, label: string, differences: string[]): Record<string, unknown> {
  const base: Record<string, unknown> = { file_name: dataset.path };
  const optional = (name: string, column: string): Record<string, string> => (dataset.keys.includes(column) ? { [name]: column } : {});
  switch (dataset.shape) {
    case 'unpaired-columns': {
      const question = unpairedQuestionColumn(dataset);
      if (question === 'both') throw new RecipeError(`${dataset.path}: some KTO records hold the question under "instruction" and others under "question"; a LLaMA-Factory entry reads one prompt column. Rename one column throughout the file.`);
      return { ...base, formatting: 'alpaca', columns: { prompt: question, response: 'completion', ...optional('system', 'system'), kto_tag: label } };
    }
    case 'prompt-completion':
      if (dataset.features.promptInCompletion) {
        // argilla/kto-mix-15k: the completion list is the whole conversation (its string prompt repeats the first turn).
        return { ...base, formatting: 'sharegpt', columns: { messages: 'completion', kto_tag: label }, tags: openaiTags(dataset, differences) };
      }
      if (dataset.features.conversationalSides) {
        throw new RecipeError(`${dataset.path}: LLaMA-Factory reads a KTO conversation from one messages column, and these records split it between a prompt list and a completion list; export for TRL (KTOTrainer) or convert the file to ShareGPT conversations with a kto_tag column.`);
      }
      return { ...base, formatting: 'alpaca', columns: { prompt: 'prompt', response: 'completion', kto_tag: label } };
    default: {
      // A dataset_info.json that already names a kto_tag (LLaMA-Factory's own KTO layout): its entry plus that column.
      const entry = infoEntry(dataset, differences);
      return { ...entry, columns: { ...(entry['columns'] as Record<string, unknown>), kto_tag: label } };
    }
  }
}

/** One of two written role names LLaMA-Factory must take a single tag for: the one the file writes (the usual one by default). */
function pickTag(dataset: RecipeDataset, usual: string, other: string, differences: string[]): string {
  const written = dataset.writtenRoles.filter((role) => role === usual || role === other);
  if (written.length > 1) {
    differences.push(`${dataset.path}: some turns say '${usual}' and others '${other}'; LLaMA-Factory takes one tag per role, so it skips the examples written with '${written[1]}' as abnormal. Use one of them throughout the file.`);
  }
  return written[0] ?? usual;
}

/**
 * LLaMA-Factory tags for OpenAI messages. Tunesmith reads "developer" as system and "function" as
 * tool; LLaMA-Factory takes one system and one observation tag, so they follow what the file writes.
 */
function openaiTags(dataset: RecipeDataset, differences: string[]): Record<string, string> {
  return {
    role_tag: 'role',
    content_tag: 'content',
    user_tag: 'user',
    assistant_tag: 'assistant',
    observation_tag: pickTag(dataset, 'tool', 'function', differences),
    function_tag: 'function_call',
    system_tag: pickTag(dataset, 'system', 'developer', differences),
  };
}

/**
 * user_tag and assistant_tag: LLaMA-Factory takes one of each per dataset. Role/content conversations
 * may say human/gpt (Axolotl's and Tunesmith's reading); the tags follow what the file writes.
 */
function writtenTags(dataset: RecipeDataset, differences: string[]): { user_tag: string; assistant_tag: string } {
  const { tags } = dataset.mapping;
  if (tags.role !== 'role') return { user_tag: tags.user, assistant_tag: tags.assistant };
  return { user_tag: pickTag(dataset, tags.user, 'human', differences), assistant_tag: pickTag(dataset, tags.assistant, 'gpt', differences) };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function infoEntry(dataset: RecipeDataset, differences: string[]): Record<string, unknown> {
  const { columns, tags } = dataset.mapping;
  // LLaMA-Factory reads every mapped column of every row: map optional columns only when present.
  const optional = (name: string, column: string): Record<string, string> => (dataset.keys.includes(column) ? { [name]: column } : {});
  const ranking = isPreferenceDataset(dataset);
  const base: Record<string, unknown> = { file_name: dataset.path };
  switch (dataset.shape) {
    case 'openai-chat':
      if (dataset.features.toolCalls) {
        differences.push(`${dataset.path}: LLaMA-Factory's sharegpt formatting does not read OpenAI 'tool_calls' or 'tool_call_id'; those assistant turns train as their (often empty) content. Convert the file to ShareGPT with function_call/observation turns (Tunesmith: Convert) first.`);
      }
      if (dataset.features.weights) differences.push(`${dataset.path}: LLaMA-Factory has no per-message loss weight: turns with 'weight: 0' are trained too.`);
      return {
        ...base,
        formatting: 'sharegpt',
        columns: { messages: 'messages', ...optional('tools', 'tools') },
        tags: openaiTags(dataset, differences),
      };
    case 'sharegpt':
    case 'preference-sharegpt':
      return {
        ...base,
        formatting: 'sharegpt',
        ...(ranking ? { ranking: true } : {}),
        columns: {
          messages: columns.messages,
          ...optional('system', columns.system),
          ...optional('tools', columns.tools),
          ...(ranking ? { chosen: columns.chosen, rejected: columns.rejected } : {}),
        },
        tags: { role_tag: tags.role, content_tag: tags.content, ...writtenTags(dataset, differences), observation_tag: tags.observation, function_tag: tags.function, system_tag: tags.system },
      };
    case 'alpaca':
    case 'preference-alpaca':
      return {
        ...base,
        formatting: 'alpaca',
        ...(ranking ? { ranking: true } : {}),
        columns: {
          prompt: columns.prompt,
          ...optional('query', columns.query),
          ...(ranking ? { chosen: columns.chosen, rejected: columns.rejected } : { response: columns.response }),
          ...optional('system', columns.system),
          ...optional('history', columns.history),
        },
      };
    case 'prompt-completion':
    case 'preference-trl':
      if (dataset.features.conversationalSides) {
        throw new RecipeError(`${dataset.path}: LLaMA-Factory reads prompt/completion (or prompt/chosen/rejected) only as strings, and these records hold lists of messages; convert the file to ShareGPT (Tunesmith: Convert) or export for TRL.`);
      }
      if (ranking && !dataset.keys.includes('prompt')) {
        throw new RecipeError(`${dataset.path}: LLaMA-Factory's ranking layouts read the prompt from a column of its own, and these pairs hold it inside "chosen" and "rejected" (TRL's implicit prompt); export for TRL (DPOTrainer extracts it).`);
      }
      return ranking
        ? { ...base, formatting: 'alpaca', ranking: true, columns: { prompt: 'prompt', chosen: 'chosen', rejected: 'rejected' } }
        : { ...base, formatting: 'alpaca', columns: { prompt: 'prompt', response: 'completion' } };
    case 'input-output':
      // torchtune's instruct pair: the input is the prompt (naming the columns leaves query unset, so it is not read twice).
      return { ...base, formatting: 'alpaca', columns: { prompt: 'input', response: 'output' } };
    case 'question-answer': {
      // Axolotl's question/answer columns as Alpaca columns: the answer under "answer" or "response", open_orca's system
      // prompt, and context_qa's context as the query (LLaMA-Factory writes it after the question, Axolotl before).
      const answer = dataset.keys.includes('answer') ? 'answer' : 'response';
      if (dataset.keys.includes('context')) differences.push(`${dataset.path}: LLaMA-Factory reads "context" as the Alpaca input, after the question; Tunesmith (as Axolotl's context_qa) puts it before.`);
      return { ...base, formatting: 'alpaca', columns: { prompt: 'question', response: answer, ...(dataset.keys.includes('context') ? { query: 'context' } : {}), ...(dataset.keys.includes('system_prompt') ? { system: 'system_prompt' } : {}) } };
    }
    case 'text':
      return { ...base, columns: { prompt: 'text' } };
    case 'preference-argilla':
    case 'preference-intel': {
      // Axolotl's argilla / intel DPO columns are LLaMA-Factory's Alpaca ranking layout under other names.
      const argilla = dataset.shape === 'preference-argilla';
      return {
        ...base,
        formatting: 'alpaca',
        ranking: true,
        columns: { prompt: argilla ? 'instruction' : 'question', chosen: argilla ? 'chosen_response' : 'chosen', rejected: argilla ? 'rejected_response' : 'rejected', ...optional('system', 'system') },
      };
    }
    case 'preference-messages':
      // OpenAI messages with one chosen and one rejected message: the ranking sharegpt layout with OpenAI tags.
      return {
        ...base,
        formatting: 'sharegpt',
        ranking: true,
        columns: { messages: 'messages', chosen: 'chosen', rejected: 'rejected', ...optional('tools', 'tools') },
        tags: openaiTags(dataset, differences),
      };
    case 'segments':
      throw new RecipeError(`${dataset.path}: LLaMA-Factory has no dataset formatting for template-free segments (a loss mask per segment); export for Axolotl (type: input_output).`);
    default:
      throw new RecipeError(`${dataset.path}: LLaMA-Factory has no dataset formatting for ${dataset.shape} records${dataset.shape === 'preference-openai' ? ' (OpenAI DPO layout); export for TRL, whose script converts it' : ''}.`);
  }
}

export function llamaFactoryRecipe(datasets: readonly RecipeDataset[], settings: RecipeSettings, sequenceLength: { value: number; reason: string }): Recipe {
  const preference = datasets.filter(isPreferenceDataset).length;
  const text = datasets.filter((dataset) => dataset.shape === 'text').length;
  const unpaired = datasets.filter(isUnpairedDataset).length;
  if (preference > 0 && preference < datasets.length) throw new RecipeError('LLaMA-Factory trains preference pairs (stage dpo) and instruction data (stage sft) in separate runs: export them separately.');
  if (text > 0 && text < datasets.length) throw new RecipeError("Plain 'text' records train in LLaMA-Factory's pre-training stage (pt), apart from instruction data: export them separately.");
  if (unpaired > 0 && unpaired < datasets.length) throw new RecipeError('LLaMA-Factory trains KTO data (stage kto, each completion labelled) and instruction data (stage sft) in separate runs: export them separately.');
  const stage = preference > 0 ? 'dpo' : text > 0 ? 'pt' : unpaired > 0 ? 'kto' : 'sft';
  const differences: string[] = [];
  const info: Record<string, unknown> = {};
  for (const dataset of datasets) {
    const label = dataset.features.unpairedLabel;
    const entry = label !== undefined ? unpairedInfoEntry(dataset, label, differences) : infoEntry(dataset, differences);
    // LLaMA-Factory's multimodal columns (mllm_demo): the media paths its <image>/<video>/<audio> placeholders stand for.
    if (dataset.media !== undefined && isObject(entry['columns'])) {
      entry['columns'] = { ...entry['columns'], ...dataset.media };
      differences.push(`${dataset.path}: LLaMA-Factory trains with the ${Object.values(dataset.media).map((column) => `"${column}"`).join(' and ')} column (a vision or audio model and its template are needed); Tunesmith's own trainer reads the text only.`);
    }
    info[dataset.name] = entry;
  }

  const template = llamaFactoryTemplate(settings.model);
  if (template === undefined) {
    differences.push(
      `LLaMA-Factory renders with its own named template, not the tokenizer's chat_template, and Tunesmith cannot tell which one matches ${settings.model.nameOrPath}: set 'template' to the one whose format matches the model's chat template, or the model trains on a format it will not see in use.`,
    );
  } else {
    differences.push(`LLaMA-Factory renders with its own '${template}' template (written to match the model family's chat template); Tunesmith renders with the tokenizer's chat_template itself.`);
  }
  const truncation = truncationDifference('LLaMA-Factory', datasets, settings, sequenceLength.value);
  if (truncation !== undefined) differences.push(truncation);
  if (stage === 'dpo') differences.push("Preference pairs train with DPO (beta 0.1, sigmoid loss): Tunesmith's own trainer trains the chosen answer with supervised loss; the DPO settings are not Tunesmith settings.");
  if (stage === 'kto') differences.push(...unpairedDifferences('LLaMA-Factory', settings));
  if (stage === 'pt') differences.push("Plain text trains in LLaMA-Factory's pre-training stage (loss on every token), as Tunesmith trains 'text' records.");

  const command = `llamafactory-cli train ${LLAMAFACTORY_TRAIN_FILE}`;
  const labelEntries: YamlEntry[] =
    stage === 'sft'
      ? [
          { key: 'train_on_prompt', value: settings.labels === 'all', comment: settings.labels === 'all' ? 'Tunesmith labels "all": the prompt carries the loss too.' : undefined },
          {
            key: 'mask_history',
            value: settings.labels === 'last-assistant',
            comment: settings.labels === 'last-assistant' ? 'Tunesmith labels "last-assistant": only the last turn carries the loss.' : 'Every assistant turn carries the loss (Tunesmith labels: ' + settings.labels + ').',
          },
        ]
      : [];
  const entries: YamlEntry[] = [
    { key: 'model_name_or_path', value: settings.model.nameOrPath, section: 'model' },
    { key: 'stage', value: stage, section: 'method' },
    { key: 'do_train', value: true },
    { key: 'finetuning_type', value: 'lora' },
    { key: 'lora_rank', value: settings.rank },
    { key: 'lora_alpha', value: settings.alpha },
    { key: 'lora_dropout', value: 0, comment: "Tunesmith's trainer uses no LoRA dropout." },
    { key: 'lora_target', value: settings.targets.map(projectionName).join(',') },
    ...(stage === 'dpo' ? [{ key: 'pref_beta', value: 0.1 }, { key: 'pref_loss', value: 'sigmoid' }] : []),
    ...(stage === 'kto' ? [{ key: 'pref_beta', value: 0.1 }, { key: 'kto_chosen_weight', value: 1 }, { key: 'kto_rejected_weight', value: 1 }] : []),
    { key: 'dataset', value: datasets.map((dataset) => dataset.name).join(','), section: 'dataset', comment: `Entries of ${LLAMAFACTORY_INFO_FILE} in dataset_dir.` },
    { key: 'dataset_dir', value: '.' },
    {
      key: 'template',
      value: template ?? 'default',
      comment: template === undefined ? "CHECK: Tunesmith could not tell which LLaMA-Factory template matches this model's chat template." : undefined,
    },
    { key: 'cutoff_len', value: sequenceLength.value, comment: `From Tunesmith's token statistics: ${sequenceLength.reason}.` },
    ...labelEntries,
    { key: 'overwrite_cache', value: true },
    { key: 'preprocessing_num_workers', value: 4 },
    { key: 'output_dir', value: settings.outputDir, section: 'output', comment: 'The adapter (adapter_config.json + adapter_model.safetensors) lands here; load it with Tunesmith: Load Adapter.' },
    { key: 'logging_steps', value: 1 },
    { key: 'save_strategy', value: 'epoch' },
    { key: 'plot_loss', value: true },
    { key: 'overwrite_output_dir', value: true },
    { key: 'report_to', value: 'none' },
    { key: 'per_device_train_batch_size', value: 1, section: 'train', comment: 'Batch shape is not a Tunesmith setting: raise it for your GPUs.' },
    { key: 'gradient_accumulation_steps', value: 8 },
    { key: 'learning_rate', value: settings.learningRate },
    { key: 'num_train_epochs', value: settings.epochs },
    { key: 'lr_scheduler_type', value: 'cosine', comment: "Tunesmith's default schedule: cosine decay, no warmup, AdamW, gradient clipping at 1.0, no weight decay." },
    { key: 'warmup_ratio', value: 0 },
    { key: 'weight_decay', value: 0 },
    { key: 'max_grad_norm', value: 1 },
    { key: 'bf16', value: true },
    { key: 'seed', value: settings.seed },
    ...(settings.evalSplit > 0
      ? [
          { key: 'val_size', value: settings.evalSplit, section: 'eval', comment: 'Tunesmith eval split: this fraction of the records is held out.' },
          { key: 'per_device_eval_batch_size', value: 1 },
          { key: 'eval_strategy', value: 'epoch' },
        ]
      : []),
  ];
  const header = headerLines('llamafactory', datasets, settings, sequenceLength, differences, command);
  // JSON has no comments: a top-level key that no dataset name refers to carries the provenance.
  const infoText = `${JSON.stringify({ __tunesmith__: [`Generated by Tunesmith (tunesmith export-recipe --target llamafactory) for ${LLAMAFACTORY_TRAIN_FILE}; its header lists the settings and differences.`], ...info }, null, 2)}\n`;
  return {
    target: 'llamafactory',
    files: [
      { name: LLAMAFACTORY_TRAIN_FILE, content: yamlText(header, entries) },
      { name: LLAMAFACTORY_INFO_FILE, content: infoText },
    ],
    command,
    differences,
    sequenceLength,
  };
}
