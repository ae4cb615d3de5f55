/** One `tunesmith` subcommand. `run` gets the arguments after the command name and returns the exit code. */
export interface CliCommand {
  readonly name: string;
  readonly summary: string;
  run(args: string[]): Promise<number>;
}

/** Thrown for bad command-line usage; the CLI prints the message and exits with 2. */
export class UsageError extends Error {}

/**
 * The message of an error from node:util's parseArgs, without its advice on positionals that start
 * with '-' (which opens a quote it never closes).
 */
export function argumentErrorMessage(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/\. To specify a positional argument starting with a '-'.*$/s, '.');
}

/** Whether an error is parseArgs rejecting the command line (a usage error). */
export function isArgumentError(error: unknown): boolean {
  return error instanceof Error && typeof (error as NodeJS.ErrnoException).code === 'string' && ((error as NodeJS.ErrnoException).code ?? '').startsWith('ERR_PARSE_ARGS_');
}
