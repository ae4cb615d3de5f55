/**
 * Training recipes for the trainers people already run (Axolotl, LLaMA-Factory, TRL): the inputs
 * (what the language service found in each dataset file, and the training settings) and the output
 * (named files as strings). Pure data; no file system, no vscode.
 */
import type { RecordFormat, TrainingLabelMode, TrainingTarget } from '../../../../protocol/messages';
import type { RecordShape } from '../conversation';
import type { FormatMapping } from '../formats';

export type RecipeTarget = 'axolotl' | 'llamafactory' | 'trl';
export const RECIPE_TARGETS: readonly RecipeTarget[] = ['axolotl', 'llamafactory', 'trl'];

/** A problem that makes a recipe impossible (the message says what to do instead). */
export class RecipeError extends Error {}

/** The base model as the recipes name it. */
export interface RecipeModel {
  /** Hugging Face id (org/name) or a path, exactly as it goes into the recipe. */
  nameOrPath: string;
  /** config.json `architectures[0]` when the model folder could be read. */
  architecture: string | undefined;
  /** config.json `max_position_embeddings` when known: the sequence length is capped to it. */
  maxPositionEmbeddings: number | undefined;
}

/** Token statistics of one file (per record: the chat-templated length). */
export interface RecipeTokenStatistics {
  p50: number;
  p99: number;
  max: number;
  /** True when counted with the estimating counter (no model tokenizer). */
  estimated: boolean;
}

/** What the language service found in one dataset file. */
export interface RecipeDataset {
  /** Path as the recipe should reference it (relative to the recipe folder when possible). */
  path: string;
  /** Short identifier (LLaMA-Factory dataset name); unique among the datasets of one recipe. */
  name: string;
  format: RecordFormat;
  /** The most common record shape in the file (finer than `format`). */
  shape: RecordShape;
  /** Column names and role tags (custom ones come from a dataset_info.json next to the file). */
  mapping: FormatMapping;
  /** Whether the mapping came from a LLaMA-Factory dataset_info.json. */
  mappingFromDatasetInfo: boolean;
  records: number;
  tokens: RecipeTokenStatistics;
  /** Top-level keys present in at least one record (a trainer may fail on a mapped column that no record has). */
  keys: string[];
  /** Properties of the records that change what a recipe must say. */
  features: {
    /** A system turn or system column somewhere. */
    system: boolean;
    /** Tool definitions (`tools` / `functions`). */
    tools: boolean;
    /** Assistant tool calls or tool results. */
    toolCalls: boolean;
    /** OpenAI's legacy "function_call" on an assistant message (chat templates read "tool_calls"). */
    legacyFunctionCalls?: boolean;
    /** OpenAI per-message `weight`. */
    weights: boolean;
    /** Alpaca `history` pairs. */
    history: boolean;
    /** Some records have more than one assistant turn. */
    multiTurn: boolean;
    /** Conversational (list of messages) prompt/completion or preference sides, rather than strings. */
    conversationalSides: boolean;
    /**
     * The column holding each completion's boolean label when the records are unpaired preference
     * (KTO) data: "label" (TRL, Axolotl) or a dataset_info.json kto_tag; undefined otherwise.
     */
    unpairedLabel: string | undefined;
    /** KTO records whose completion holds the whole conversation, prompt turns first (argilla/kto-mix-15k). */
    promptInCompletion: boolean;
    /** Every such completion is exactly one user and one assistant message (what Axolotl's argilla_chat KTO types read). */
    completionPairs: boolean;
  };
  /** Media columns (images, videos, audios) the records have or a dataset_info.json names, by kind. */
  media?: Partial<Record<'images' | 'videos' | 'audios', string>>;
  /** Roles as written in the chat turns (role/content conversations may say human/gpt), in first-seen order. */
  writtenRoles: string[];
}

/** The Tunesmith training settings a recipe carries over. */
export interface RecipeSettings {
  model: RecipeModel;
  rank: number;
  alpha: number;
  targets: readonly TrainingTarget[];
  epochs: number;
  learningRate: number;
  /** Which turns carry the loss. */
  labels: TrainingLabelMode;
  /** Fraction of the records held out for evaluation (0 = none). */
  evalSplit: number;
  /** What happens to records longer than the sequence length (Tunesmith's default: drop). */
  overLength: 'drop' | 'truncate';
  /** Forced sequence length; undefined = derived from the token statistics. */
  sequenceLength: number | undefined;
  /** Where the trainer writes its adapter (relative to where it runs). */
  outputDir: string;
  seed: number;
}

export const defaultRecipeSettings: Omit<RecipeSettings, 'model'> = {
  rank: 8,
  alpha: 16,
  targets: ['q', 'k', 'v', 'o', 'gate', 'up', 'down'],
  epochs: 3,
  learningRate: 2e-4,
  labels: 'assistant',
  evalSplit: 0,
  overLength: 'drop',
  sequenceLength: undefined,
  outputDir: 'outputs/tunesmith-lora',
  seed: 42,
};

export interface RecipeFile {
  /** File name inside the recipe folder. */
  name: string;
  content: string;
}

export interface Recipe {
  target: RecipeTarget;
  files: RecipeFile[];
  /** The shell command that runs it (from the recipe folder). */
  command: string;
  /** Where the recipe's meaning differs from Tunesmith's (also written into the files). */
  differences: string[];
  /** The sequence length used, and how it was chosen. */
  sequenceLength: { value: number; reason: string };
}

/** Hugging Face projection names of the targets. */
export function projectionName(target: TrainingTarget): string {
  return `${target}_proj`;
}
