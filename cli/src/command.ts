/** One `tunesmith` subcommand. `run` gets the arguments after the command name and returns the exit code. */
export interface CliCommand {
  readonly name: string;
  readonly summary: string;
  run(args: string[]): Promise<number>;
}

/** Thrown for bad command-line usage; the CLI prints the message and exits with 2. */
export class UsageError extends Error {}
