/**
 * The `tunesmith` command line: the same language service and engine as the extension, without VS Code.
 * Each subcommand lives in cli/src/commands/<name>.ts and registers itself in `commands` below.
 * Exit codes: 0 success, 1 the job found problems or failed, 2 usage error.
 */
import { argumentErrorMessage, isArgumentError, type CliCommand, UsageError } from './command';

const commands: Record<string, () => Promise<CliCommand>> = {
  // name: () => import('./commands/name').then((m) => m.command),
  lint: () => import('./commands/lint.js').then((m) => m.command),
  stats: () => import('./commands/stats.js').then((m) => m.command),
  'export-recipe': () => import('./commands/export-recipe.js').then((m) => m.command),
  generate: () => import('./commands/generate.js').then((m) => m.command),
  'create-tiny-model': () => import('./commands/create-tiny-model.js').then((m) => m.command),
  tune: () => import('./commands/tune.js').then((m) => m.command),
  demo: () => import('./commands/demo.js').then((m) => m.command),
};

function usage(): string {
  const names = Object.keys(commands).sort();
  return `usage: tunesmith <command> [options]\n\ncommands:\n${names.map((n) => `  ${n}`).join('\n')}\n\nRun 'tunesmith <command> --help' for a command's options.\n`;
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined) {
    // No command is a usage error: its usage goes to stderr, as an unknown command's does.
    process.stderr.write(usage());
    return 2;
  }
  if (name === '--help' || name === '-h') {
    process.stdout.write(usage());
    return 0;
  }
  if (name === '--version') {
    process.stdout.write(`${require('../../package.json').version}\n`);
    return 0;
  }
  const load = commands[name];
  if (load === undefined) {
    process.stderr.write(`tunesmith: unknown command '${name}'\n\n${usage()}`);
    return 2;
  }
  const command = await load();
  return command.run(rest);
}

// Output that cannot be written (a full disk, a closed pipe) is a message, not a stack trace. A reader
// that stops early (`tunesmith lint | head`) is not an error of ours: keep the exit code.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code !== 'EPIPE') {
    process.stderr.write(`tunesmith: cannot write the output (${error.message})\n`);
    process.exitCode = 1;
  }
  process.exit();
});

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    const argumentError = isArgumentError(error);
    process.stderr.write(`tunesmith: ${argumentError ? argumentErrorMessage(error) : error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = argumentError || error instanceof UsageError ? 2 : 1;
  },
);
