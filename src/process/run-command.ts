// The user's deploy command (siggate deploy): started here, beside run-program.ts, the one other place a program is spawned.
import { spawn } from 'node:child_process';
import { ToolError } from '../core/errors.js';

/** How a deploy command ended. */
export interface CommandExit {
  status: number | null;
  signal: string | null;
}

/** What to run, where, with which environment. */
export interface CommandSpec {
  /** argv, or (shell) one script text run by `/bin/sh -c`. */
  command: { argv: readonly string[]; shell: boolean };
  /** Appended to argv; in a shell script it is `$1`. */
  args: readonly string[];
  cwd: string;
  /** The whole environment: nothing of the deployer's is inherited beyond it. */
  env: Readonly<Record<string, string>>;
  /** Where the command's output goes (default: this process's stderr, for stdout may carry the JSON report). */
  output?: 'stderr' | 'inherit';
}

/**
 * Run the deploy command with an argument array — through `/bin/sh -c` only when the entry asks for a
 * shell, and then the arguments are the script's positional parameters, never spliced into its text.
 * A program that cannot start is a ToolError (exit 3); any exit status is returned for the caller to judge.
 */
export function runDeployCommand(spec: CommandSpec): Promise<CommandExit> {
  const [program, ...rest] = spec.command.shell ? ['/bin/sh', '-c', spec.command.argv[0]!, 'siggate-deploy'] : spec.command.argv;
  const out = spec.output === 'inherit' ? 'inherit' : 2;
  return new Promise((resolve, reject) => {
    const child = spawn(program!, [...rest, ...spec.args], { cwd: spec.cwd, env: { ...spec.env }, stdio: ['ignore', out, 'inherit'] });
    child.on('error', (error: NodeJS.ErrnoException) => {
      const why = error.code === 'ENOENT' ? 'not found (in the work tree, or on PATH)' : error.message;
      reject(new ToolError(`cannot run the deploy command ${program}: ${why}`, { cause: error }));
    });
    child.on('close', (status, signal) => resolve({ status, signal }));
  });
}
