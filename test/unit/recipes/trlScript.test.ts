/**
 * The TRL scripts read each dataset the way Tunesmith reads it: the examples a generated script
 * builds (run with python3, the trainer libraries stubbed out since only the data code runs) must
 * carry the same turns and the same trained turns as the language service's canonical conversation.
 * Skips with a message when python3 is not installed.
 */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { analyseRecord } from '../../../server/src/service/analysis';
import { resolveSettings } from '../../../server/src/service/config';
import { datasetInfoHint } from '../../../server/src/service/configFile';
import type { Conversation, Turn } from '../../../server/src/service/conversation';
import { DatasetDocument } from '../../../server/src/service/document';
import { buildFacts } from '../../../server/src/service/linter';
import { fileKindOf } from '../../../server/src/service/session';
import { cases, fixtures } from './cases';

const python = spawnSync('python3', ['--version']);
const skip = python.status === 0 ? false : 'python3 is not installed';

// Stubs for the trainer libraries: importing the script must not need them, only the data code runs.
const HARNESS = `
import json, runpy, sys, types
for name, attributes in {"datasets": ["Dataset"], "peft": ["LoraConfig"], "transformers": ["AutoModelForCausalLM", "AutoTokenizer"],
                         "trl": ["SFTConfig", "SFTTrainer", "DPOConfig", "DPOTrainer", "KTOConfig", "KTOTrainer"]}.items():
    module = types.ModuleType(name)
    for attribute in attributes:
        setattr(module, attribute, type(attribute, (), {}))
    sys.modules[name] = module
script = runpy.run_path(sys.argv[1], run_name="tunesmith_check")
print(json.dumps(script["load_examples"]()))
`;

type Message = { role: string; content: string };

function message(turn: Turn): Message {
  return { role: turn.role ?? turn.writtenRole, content: turn.content };
}

function recordsOf(file: string): { conversation: Conversation; label: unknown }[] {
  const document = DatasetDocument.parse(fs.readFileSync(file, 'utf8'), fileKindOf(file));
  const hint = datasetInfoHint(file);
  const facts = buildFacts(document, file, resolveSettings().settings, hint !== undefined ? { hint } : {});
  // KTO's label: TRL/Axolotl "label", or the kto_tag column a dataset_info.json names.
  const labelColumn = facts.hint.mapping.columns.kto_tag ?? 'label';
  return document.records.map((record) => ({
    conversation: analyseRecord(record, facts)!.conversation,
    label: typeof record.value === 'object' && record.value !== null ? (record.value as Record<string, unknown>)[labelColumn] : undefined,
  }));
}

function conversationsOf(file: string): Conversation[] {
  return recordsOf(file).map((record) => record.conversation);
}

describe('TRL scripts read the data as Tunesmith does', { skip }, () => {
  for (const { name, files } of cases) {
    const folder = path.join(fixtures, 'golden', name, 'trl');
    const script = path.join(folder, 'trl_train.py');
    it(name, { skip: fs.existsSync(script) ? false : 'no TRL script for this case' }, () => {
      const run = spawnSync('python3', ['-c', HARNESS, script], { cwd: folder, encoding: 'utf8', timeout: 60_000 });
      assert.equal(run.status, 0, run.stderr);
      const examples = JSON.parse(run.stdout) as Record<string, Message[] | boolean>[];
      const expected: Record<string, Message[] | boolean>[] = [];
      for (const file of files) {
        for (const { conversation, label } of recordsOf(path.join(fixtures, 'data', file))) {
          if (typeof label === 'boolean') {
            // KTO: the conversation before the answer is the prompt, the answer the labelled completion.
            const turns = conversation.turns.map(message);
            expected.push({ prompt: turns.slice(0, -1), completion: turns.slice(-1), label });
            continue;
          }
          if (conversation.rejected !== undefined) {
            const turns = conversation.turns.map(message);
            const prompt = turns.slice(0, -1);
            // A rejected side that repeats the prompt turns (a string prompt beside answers that hold them) is read after them, as TRL extracts the prompt.
            const rejected = conversation.rejected.map(message);
            let shared = 0;
            while (shared < prompt.length && shared < rejected.length - 1 && JSON.stringify(rejected[shared]) === JSON.stringify(prompt[shared])) shared++;
            expected.push({ prompt, chosen: turns.slice(-1), rejected: rejected.slice(shared) });
            continue;
          }
          const turns = conversation.turns;
          turns.forEach((turn, index) => {
            if (turn.role === 'assistant' && turn.trainable) expected.push({ prompt: turns.slice(0, index).map(message), completion: [message(turn)] });
          });
        }
      }
      const comparable = examples.map((example) =>
        Object.fromEntries(Object.entries(example).map(([key, messages]) => [key, typeof messages === 'boolean' ? messages : messages.map((m) => ({ role: m.role, content: m.content }))])),
      );
      assert.ok(expected.length > 0);
      assert.deepEqual(comparable, expected);
    });
  }
  it('passes a legacy function_call on as a tool call and its result with the function name, as Tunesmith renders them', () => {
    const folder = path.join(fixtures, 'golden', 'openai-functions', 'trl');
    const run = spawnSync('python3', ['-c', HARNESS, path.join(folder, 'trl_train.py')], { cwd: folder, encoding: 'utf8', timeout: 60_000 });
    assert.equal(run.status, 0, run.stderr);
    const examples = JSON.parse(run.stdout) as { prompt: Record<string, unknown>[]; completion: Record<string, unknown>[] }[];
    assert.deepEqual(examples[0]!.completion[0], { role: 'assistant', content: '', tool_calls: [{ type: 'function', function: { name: 'get_weather', arguments: '{"city": "Lima"}' } }] });
    assert.deepEqual(examples[1]!.prompt[2], { role: 'tool', content: '{"celsius": "19"}', name: 'get_weather' });
    const turns = conversationsOf(path.join(fixtures, 'data', 'openai-functions.jsonl'))[0]!.turns;
    assert.equal(turns[1]!.toolCalls[0]!.name, 'get_weather', 'Tunesmith reads the function_call as a tool call');
  });

  it('skips weight-0 turns and joins content parts like Tunesmith (openai-chat fixture)', () => {
    const turns = conversationsOf(path.join(fixtures, 'data', 'openai-chat.jsonl')).map((conversation) => conversation.turns);
    assert.equal(turns[1]!.filter((turn) => turn.role === 'assistant' && turn.trainable).length, 1, 'the fixture has one weight-0 assistant turn');
    assert.equal(turns[2]![0]!.content, 'Name a prime\n\nbelow ten.');
  });
});
