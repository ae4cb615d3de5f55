/**
 * A TRL script (SFTTrainer, or DPOTrainer for preference pairs) with a PEFT LoraConfig, for people who
 * write their own loop. The script reads each file the way Tunesmith reads it (same role mapping,
 * same joins) into TRL's conversational formats, so the model's chat template renders it as in
 * Tunesmith. TRL's `assistant_only_loss` needs `{% generation %}` markers that most chat templates
 * lack, so loss masking is expressed with prompt/completion examples instead (completion-only loss).
 */
import { sharegptRoles } from '../formats';
import { headerLines, isPreferenceDataset, isUnpairedDataset, mediaDifference, pythonLiteral, pythonString, truncationDifference, unpairedDifferences } from './common';
import { projectionName, type Recipe, type RecipeDataset, RecipeError, type RecipeSettings } from './types';

export const TRL_FILE = 'trl_train.py';

function datasetSpec(dataset: RecipeDataset): Record<string, unknown> {
  const spec: Record<string, unknown> = { path: dataset.path, shape: dataset.shape, columns: dataset.mapping.columns, tags: dataset.mapping.tags };
  // The written roles Tunesmith accepts in ShareGPT turns and the role each is read as (role/content conversations may say human/gpt).
  if (dataset.shape === 'sharegpt' || dataset.shape === 'preference-sharegpt') spec['roles'] = sharegptRoles(dataset.mapping);
  if (dataset.features.unpairedLabel !== undefined) spec['label'] = dataset.features.unpairedLabel;
  return spec;
}

/** The reading code: static Python, parameterised by each dataset's spec (shape, columns, tags). */
const READERS = String.raw`
def read_records(path):
    """Records of a .jsonl (one per line) or .json (an array) file."""
    with open(path, encoding="utf-8-sig") as file:
        if path.endswith(".json"):
            return json.load(file)
        return [json.loads(line) for line in file if line.strip()]


def text_of(content):
    """OpenAI content may be a list of parts: Tunesmith joins their text with a blank line."""
    if isinstance(content, list):
        texts = [part.get("text") if isinstance(part, dict) else part for part in content]
        return "\n\n".join(text for text in texts if isinstance(text, str))
    return content if isinstance(content, str) else ""


def side(value, role):
    """A prompt/completion/chosen/rejected side: a string, or a list of messages."""
    if isinstance(value, list):
        return [openai_message(message) for message in value if isinstance(message, dict)]
    return [{"role": role, "content": text_of(value)}]


def openai_message(message):
    role = {"developer": "system", "function": "tool"}.get(message.get("role"), message.get("role"))
    turn = {"role": role, "content": text_of(message.get("content"))}
    if message.get("tool_calls"):
        turn["tool_calls"] = message["tool_calls"]
    elif isinstance(message.get("function_call"), dict):
        # The legacy function_call is a tool call, as Tunesmith renders it through the chat template.
        turn["tool_calls"] = [{"type": "function", "function": message["function_call"]}]
    if role == "tool" and isinstance(message.get("name"), str) and not message.get("tool_call_id"):
        turn["name"] = message["name"]
    if message.get("tool_call_id"):
        turn["tool_call_id"] = message["tool_call_id"]
    if "weight" in message:
        turn["weight"] = message["weight"]
    return turn


def conversation(record, spec):
    """The record's turns as chat messages, read the way Tunesmith reads it."""
    shape, columns, tags = spec["shape"], spec["columns"], spec["tags"]
    messages = []
    if shape in ("sharegpt", "preference-sharegpt", "alpaca", "preference-alpaca") and record.get(columns["system"]):
        messages.append({"role": "system", "content": text_of(record[columns["system"]])})
    if shape == "openai-chat":
        messages += [openai_message(m) for m in record.get("messages") or [] if isinstance(m, dict)]
    elif shape in ("sharegpt", "preference-sharegpt"):
        roles = spec["roles"]
        for turn in record.get(columns["messages"]) or []:
            written = turn.get(tags["role"])
            messages.append({"role": roles.get(written, written), "content": text_of(turn.get(tags["content"]))})
    elif shape in ("alpaca", "preference-alpaca"):
        for pair in record.get(columns["history"]) or []:
            messages += [{"role": "user", "content": text_of(pair[0])}, {"role": "assistant", "content": text_of(pair[1])}]
        parts = [record.get(columns["prompt"]), record.get(columns["query"])]
        messages.append({"role": "user", "content": "\n".join(p for p in parts if isinstance(p, str) and p)})
        if shape == "alpaca":
            messages.append({"role": "assistant", "content": text_of(record.get(columns["response"]))})
    elif shape in ("prompt-completion", "preference-trl"):
        if "prompt" in record and not (shape == "prompt-completion" and prompt_inside_completion(record)):
            messages += side(record["prompt"], "user")
        if shape == "prompt-completion":
            messages += side(record.get("completion"), "assistant")
    elif shape == "input-output":
        messages += [{"role": "user", "content": text_of(record.get("input"))}, {"role": "assistant", "content": text_of(record.get("output"))}]
    elif shape in ("preference-argilla", "preference-intel"):
        # Axolotl's chatml.argilla / chatml.intel DPO columns: an optional system, the question, two answers.
        if isinstance(record.get("system"), str) and record["system"]:
            messages.append({"role": "system", "content": record["system"]})
        messages.append({"role": "user", "content": text_of(record.get("instruction" if shape == "preference-argilla" else "question"))})
    elif shape == "unpaired-columns":
        if isinstance(record.get("system"), str) and record["system"]:
            messages.append({"role": "system", "content": record["system"]})
        question = record.get("instruction") if "instruction" in record else record.get("question")
        messages += [{"role": "user", "content": text_of(question)}, {"role": "assistant", "content": text_of(record.get("completion"))}]
    elif shape == "preference-openai":
        messages += [openai_message(m) for m in (record.get("input") or {}).get("messages") or []]
    elif shape == "preference-messages":
        messages += [openai_message(m) for m in record.get("messages") or [] if isinstance(m, dict)]
    return messages


def prompt_inside_completion(record):
    """A string prompt beside a KTO completion that holds the whole conversation (argilla/kto-mix-15k): the prompt is read from it."""
    completion = record.get("completion")
    return ("label" in record and isinstance(record.get("prompt"), str) and isinstance(completion, list) and len(completion) > 1
            and isinstance(completion[0], dict) and completion[0].get("role") != "assistant")


def without_weight(messages):
    return [{key: value for key, value in m.items() if key != "weight"} for m in messages]
`;

const SFT_EXAMPLES = String.raw`
def examples(messages):
    """TRL examples for one conversation, with the loss where Tunesmith puts it (LABELS)."""
    if LABELS == "all":
        return [{"messages": without_weight(messages)}]
    trained = [i for i, m in enumerate(messages) if m["role"] == "assistant" and m.get("weight", 1) != 0]
    if LABELS == "last-assistant":
        trained = [i for i, m in enumerate(messages) if m["role"] == "assistant"][-1:]
    # One prompt/completion example per trained assistant turn: the loss covers that turn only
    # (completion_only_loss), with the whole conversation before it as the prompt.
    return [{"prompt": without_weight(messages[:i]), "completion": without_weight([messages[i]])} for i in trained]


def load_examples():
    rows = []
    for spec in DATASETS:
        for record in read_records(spec["path"]):
            if isinstance(record, dict):
                rows += examples(conversation(record, spec))
    return rows
`;

const TEXT_EXAMPLES = String.raw`
def load_examples():
    rows = []
    for spec in DATASETS:
        rows += [{"text": record["text"]} for record in read_records(spec["path"]) if isinstance(record, dict) and isinstance(record.get("text"), str)]
    return rows
`;

const UNPAIRED_EXAMPLES = String.raw`
def load_examples():
    """KTO examples: the conversation before the last turn is the prompt, the last turn the labelled completion."""
    rows = []
    for spec in DATASETS:
        for record in read_records(spec["path"]):
            if isinstance(record, dict) and isinstance(record.get(spec["label"]), bool):
                messages = without_weight(conversation(record, spec))
                if messages:
                    rows.append({"prompt": messages[:-1], "completion": messages[-1:], "label": record[spec["label"]]})
    return rows
`;

const PREFERENCE_EXAMPLES = String.raw`
def chosen_and_rejected(record, spec):
    """The two answers of a preference record, as lists of assistant messages."""
    shape, columns, tags = spec["shape"], spec["columns"], spec["tags"]
    if shape == "preference-sharegpt":
        pick = lambda turn: [{"role": "assistant", "content": text_of((turn or {}).get(tags["content"]))}]
        return pick(record.get(columns["chosen"])), pick(record.get(columns["rejected"]))
    if shape == "preference-alpaca":
        return side(record.get(columns["chosen"]), "assistant"), side(record.get(columns["rejected"]), "assistant")
    if shape == "preference-openai":
        return side(record.get("preferred_output"), "assistant"), side(record.get("non_preferred_output"), "assistant")
    if shape == "preference-messages":
        pick = lambda message: [{"role": "assistant", "content": text_of((message or {}).get("content"))}]
        return pick(record.get("chosen")), pick(record.get("rejected"))
    if shape == "preference-argilla":
        return side(record.get("chosen_response"), "assistant"), side(record.get("rejected_response"), "assistant")
    return side(record.get("chosen"), "assistant"), side(record.get("rejected"), "assistant")


def prompt_inside_answers(record):
    """A string prompt beside answers that start with the prompt turns (Axolotl chatml.ultra)."""
    starts_with_prompt = lambda side: isinstance(side, list) and len(side) > 1 and isinstance(side[0], dict) and side[0].get("role") != "assistant"
    return isinstance(record.get("prompt"), str) and starts_with_prompt(record.get("chosen")) and starts_with_prompt(record.get("rejected"))


def load_examples():
    rows = []
    for spec in DATASETS:
        for record in read_records(spec["path"]):
            if isinstance(record, dict):
                chosen, rejected = chosen_and_rejected(record, spec)
                if spec["shape"] == "preference-trl" and prompt_inside_answers(record):
                    # As TRL's maybe_extract_prompt does: the prompt is what both answers start with.
                    shared = 0
                    while shared < min(len(chosen), len(rejected)) - 1 and chosen[shared] == rejected[shared]:
                        shared += 1
                    rows.append({"prompt": without_weight(chosen[:shared]), "chosen": chosen[shared:], "rejected": rejected[shared:]})
                    continue
                rows.append({"prompt": without_weight(conversation(record, spec)), "chosen": chosen, "rejected": rejected})
    return rows
`;

export function trlRecipe(datasets: readonly RecipeDataset[], settings: RecipeSettings, sequenceLength: { value: number; reason: string }): Recipe {
  const preference = datasets.filter(isPreferenceDataset).length;
  const text = datasets.filter((dataset) => dataset.shape === 'text').length;
  const unpaired = datasets.filter(isUnpairedDataset).length;
  if (preference > 0 && preference < datasets.length) throw new RecipeError('TRL trains preference pairs (DPOTrainer) and instruction data (SFTTrainer) in separate runs: export them separately.');
  if (unpaired > 0 && unpaired < datasets.length) throw new RecipeError('TRL trains KTO data (KTOTrainer, each completion labelled) and instruction data (SFTTrainer) in separate runs: export them separately.');
  if (text > 0 && text < datasets.length) throw new RecipeError("Plain 'text' records and conversations cannot share one TRL dataset: export them separately.");
  for (const dataset of datasets) if (dataset.shape === 'unknown') throw new RecipeError(`${dataset.path}: no records Tunesmith can read, so nothing to export.`);
  for (const dataset of datasets) {
    // Neither trains a chat model from the answers: nothing for SFTTrainer, DPOTrainer or KTOTrainer to read.
    if (dataset.shape === 'prompt-only') {
      throw new RecipeError(`${dataset.path}: prompt-only records have no answer to train on; they are for TRL's online trainers (GRPOTrainer, RLOOTrainer, OnlineDPOTrainer), which generate the answers and need a reward function that Tunesmith cannot write.`);
    }
    if (dataset.shape === 'stepwise') {
      throw new RecipeError(`${dataset.path}: stepwise supervision (a label per step) trains a process reward model with TRL's PRMTrainer, a token classifier rather than a chat adapter Tunesmith can load; an SFT script would also teach the steps labelled false.`);
    }
    if (dataset.shape === 'segments') throw new RecipeError(`${dataset.path}: TRL has no dataset type for template-free segments (a loss mask per segment); export for Axolotl (type: input_output).`);
  }
  const mode = preference > 0 ? 'dpo' : text > 0 ? 'text' : unpaired > 0 ? 'kto' : 'sft';

  const differences: string[] = [];
  if (mode === 'sft' && settings.labels !== 'all') {
    differences.push(
      "TRL's assistant_only_loss needs {% generation %} markers that most chat templates lack, so this script makes one prompt/completion example per trained assistant turn (completion-only loss): each turn is trained once with the conversation before it as its prompt. The loss is averaged per turn rather than per conversation, and multi-turn records cost one forward pass per turn.",
    );
  }
  const truncation = truncationDifference('TRL', datasets, settings, sequenceLength.value);
  if (truncation !== undefined) differences.push(truncation);
  if (mode === 'dpo') differences.push("Preference pairs train with DPO (beta 0.1): Tunesmith's own trainer trains the chosen answer with supervised loss; the DPO settings are not Tunesmith settings.");
  if (mode === 'kto') differences.push(...unpairedDifferences('TRL', settings));
  for (const dataset of datasets) {
    const media = mediaDifference('TRL', dataset);
    if (media !== undefined) differences.push(media);
  }
  if (datasets.some((dataset) => dataset.features.tools)) differences.push('Tool definitions (tools column) are not passed to the chat template by this script; Tunesmith renders them.');
  if (datasets.some((dataset) => dataset.features.toolCalls && dataset.shape !== 'openai-chat')) {
    differences.push('ShareGPT function_call turns become assistant text holding the call, and observation turns become tool messages; Tunesmith renders the calls through the chat template\'s tool-call syntax.');
  }

  const command = `accelerate launch ${TRL_FILE}`;
  const header = headerLines('trl', datasets, settings, sequenceLength, differences, command).map((line) => `# ${line}`.trimEnd());
  const trainer = mode === 'dpo' ? 'DPOTrainer' : mode === 'kto' ? 'KTOTrainer' : 'SFTTrainer';
  const configClass = mode === 'dpo' ? 'DPOConfig' : mode === 'kto' ? 'KTOConfig' : 'SFTConfig';
  const labelsComment: Record<RecipeSettings['labels'], string> = {
    assistant: 'loss on every assistant turn (turns with weight 0 excluded)',
    all: 'loss on every token of the conversation',
    'last-assistant': 'loss on the last assistant turn only',
  };
  const configArguments = [
    `output_dir=OUTPUT_DIR`,
    `num_train_epochs=${settings.epochs}`,
    `learning_rate=${settings.learningRate}`,
    `lr_scheduler_type="cosine",  # Tunesmith's default: cosine decay, no warmup, AdamW, clipping 1.0, no weight decay`,
    `warmup_ratio=0.0`,
    `weight_decay=0.0`,
    `max_grad_norm=1.0`,
    mode === 'kto'
      ? `per_device_train_batch_size=2,  # KTOTrainer refuses 1 (its KL estimate pairs each completion with another in the batch); raise it for your GPUs`
      : `per_device_train_batch_size=1,  # batch shape is not a Tunesmith setting: raise it for your GPUs`,
    `gradient_accumulation_steps=${mode === 'kto' ? 4 : 8}`,
    `max_length=SEQUENCE_LENGTH`,
    ...(mode === 'sft' ? [`completion_only_loss=True,  # prompt/completion examples train the completion only`] : []),
    ...(mode === 'dpo' ? ['beta=0.1'] : []),
    ...(mode === 'kto' ? ['beta=0.1', 'desirable_weight=1.0', 'undesirable_weight=1.0'] : []),
    `logging_steps=1`,
    `save_strategy="epoch"`,
    `eval_strategy="epoch" if EVAL_SPLIT > 0 else "no"`,
    `bf16=True`,
    `seed=SEED`,
    `report_to="none"`,
  ];
  const lines = [
    ...header,
    '',
    'import json',
    '',
    'from datasets import Dataset',
    'from peft import LoraConfig',
    'from transformers import AutoModelForCausalLM, AutoTokenizer',
    `from trl import ${configClass}, ${trainer}`,
    '',
    `MODEL = ${pythonString(settings.model.nameOrPath)}`,
    '# Each file with the shape Tunesmith detected and its column names and role tags.',
    'DATASETS = [',
    ...datasets.map((dataset) => `    ${pythonLiteral(datasetSpec(dataset))},`),
    ']',
    `LABELS = ${pythonString(settings.labels)}  # Tunesmith labels: ${labelsComment[settings.labels]}`,
    `EVAL_SPLIT = ${settings.evalSplit}  # Tunesmith eval split: fraction of the examples held out`,
    `SEQUENCE_LENGTH = ${sequenceLength.value}  # ${sequenceLength.reason}`,
    `SEED = ${settings.seed}`,
    `OUTPUT_DIR = ${pythonString(settings.outputDir)}  # adapter_config.json + adapter_model.safetensors: load with Tunesmith: Load Adapter`,
    '',
    '',
    READERS.trim(),
    '',
    '',
    (mode === 'dpo' ? PREFERENCE_EXAMPLES : mode === 'text' ? TEXT_EXAMPLES : mode === 'kto' ? UNPAIRED_EXAMPLES : SFT_EXAMPLES).trim(),
    '',
    '',
    'def main():',
    '    dataset = Dataset.from_list(load_examples())',
    '    if len(dataset) == 0:',
    '        raise SystemExit("no examples: check the paths in DATASETS")',
    '    train, evaluation = dataset, None',
    '    if EVAL_SPLIT > 0:',
    '        split = dataset.train_test_split(test_size=EVAL_SPLIT, seed=SEED)',
    '        train, evaluation = split["train"], split["test"]',
    '    tokenizer = AutoTokenizer.from_pretrained(MODEL)',
    '    model = AutoModelForCausalLM.from_pretrained(MODEL, torch_dtype="auto")',
    '    lora = LoraConfig(',
    `        r=${settings.rank},`,
    `        lora_alpha=${settings.alpha},`,
    '        lora_dropout=0.0,  # Tunesmith trains without LoRA dropout',
    `        target_modules=${pythonLiteral(settings.targets.map(projectionName))},`,
    '        bias="none",',
    '        task_type="CAUSAL_LM",',
    '    )',
    `    config = ${configClass}(`,
    ...configArguments.map((argument) => (argument.includes('  #') ? `        ${argument}` : `        ${argument},`)),
    '    )',
    `    trainer = ${trainer}(`,
    '        model=model,',
    '        args=config,',
    '        train_dataset=train,',
    '        eval_dataset=evaluation,',
    '        processing_class=tokenizer,',
    '        peft_config=lora,',
    '    )',
    '    trainer.train()',
    '    trainer.save_model(OUTPUT_DIR)',
    '',
    '',
    'if __name__ == "__main__":',
    '    main()',
    '',
  ];
  return { target: 'trl', files: [{ name: TRL_FILE, content: lines.join('\n') }], command, differences, sequenceLength };
}
