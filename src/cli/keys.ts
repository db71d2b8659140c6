import type { Command } from 'commander';
import { formatKeys } from './format.js';
import { collect } from './options.js';

/** Registers `siggate keys`: the allowed keys, and warnings about the ones expiring soon. */
export function addKeysCommand(program: Command): void {
  program
    .command('keys')
    .description('list the allowed keys: fingerprint, algorithm, user IDs, creation, expiry, revocation')
    .option('--keys <path>', 'key file or directory (repeatable; default ./keys)', collect)
    .option('--json', 'print JSON on stdout')
    .action(async (flags: { keys?: string[]; json?: boolean }) => {
      const { listKeys } = await import('../commands/list-keys.js');
      const keys = await listKeys({ ...(flags.keys ? { keys: flags.keys } : {}), onWarning: (m) => process.stderr.write(`warning: ${m}\n`) });
      if (flags.json) process.stdout.write(JSON.stringify(keys, null, 2) + '\n');
      else process.stdout.write(formatKeys(keys));
      for (const warning of keys.flatMap((k) => k.warnings)) process.stderr.write(`warning: ${warning}\n`);
    });
}
