export interface CliCommand {
  /** Runs with the arguments after the command's name; resolves to the process exit code. */
  run(args: string[]): Promise<number>;
}

/** Thrown for bad usage or input: main() prints its message on one line and exits non-zero. */
export class CliError extends Error {}
