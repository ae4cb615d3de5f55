/** Load failures as the reason and the fix, for the panel and notifications. No vscode import. */
import * as path from 'node:path';
import { EngineRequestError } from './engineClient';

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** A load failure as the reason and the fix, never a stack trace. */
export function describeLoadFailure(what: 'model' | 'adapter', target: string, error: unknown): string {
  // Only a stack trace's lines go ("no model at '/x'" keeps its 'at').
  const message = errorMessage(error).replace(/\n\s+at [\s\S]*$/, '');
  const code = error instanceof EngineRequestError ? error.code : 'internal';
  const name = path.basename(target);
  switch (code) {
    case 'model-not-found':
      return `The ${what} "${name}" was not found: ${message}. Fix: run "Tunesmith: Select Model" and pick a folder with config.json, safetensors weights and tokenizer.json.`;
    case 'unsupported-model':
      return `"${name}" cannot be loaded: ${message}. Fix: pick a Llama, Qwen2, Qwen3 or Mistral model with safetensors weights and tokenizer.json (the built-in demo model always works).`;
    case 'adapter-invalid':
      return `The adapter "${name}" does not fit the loaded model: ${message}. Fix: load an adapter trained on this base model (PEFT format), or fine-tune one with "Tunesmith: Fine-tune and Preview".`;
    case 'device':
      return `The device failed for "${name}": ${message}. Fix: set "tunesmith.device" to "cpu".`;
    case 'engine-exited':
      return `${message} Fix: try a smaller model, or close other models; the engine restarts on the next request.`;
    default:
      return `Loading the ${what} "${name}" failed: ${message}. Fix: check the Tunesmith output for details, or pick another ${what}.`;
  }
}

