import { SigningError } from '../core/errors.js';

/**
 * The passphrase of a secret key: `SIGGATE_KEY_PASSPHRASE`, else asked on the terminal without echo.
 * Without a terminal there is nobody to ask, so the command stops with what to set.
 */
export async function readPassphrase(prompt: string, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const fromEnv = env.SIGGATE_KEY_PASSPHRASE;
  if (fromEnv !== undefined) return fromEnv;
  const input = process.stdin;
  if (!input.isTTY) throw new SigningError(`${prompt}: the key is protected; set SIGGATE_KEY_PASSPHRASE or run on a terminal`);
  // echo off before the prompt shows: whatever is typed once it is visible must never reach the screen
  input.setRawMode(true);
  input.resume();
  process.stderr.write(`${prompt}: `);
  try {
    return await new Promise<string>((resolve, reject) => {
      let typed = '';
      const onData = (chunk: Buffer): void => {
        for (const char of chunk.toString('utf8')) {
          if (char === '\r' || char === '\n') return finish(() => resolve(typed));
          if (char === '\u0003') return finish(() => reject(new SigningError('passphrase entry cancelled')));
          if (char === '\u007f' || char === '\b') typed = typed.slice(0, -1);
          else typed += char;
        }
      };
      const finish = (settle: () => void): void => {
        input.off('data', onData);
        settle();
      };
      input.on('data', onData);
    });
  } finally {
    input.setRawMode(false);
    input.pause();
    process.stderr.write('\n');
  }
}
