import type { Command } from 'commander';
import { formatKeys } from './format.js';
import { collect } from './options.js';
import { printWarning, writeOut } from './output.js';

/** Registers `siggate keys`: the allowed keys, and warnings about the ones expiring soon. */
export function addKeysCommand(program: Command): void {
  program
    .command('keys')
    .description('list the allowed keys: fingerprint, algorithm, user IDs, creation, expiry, revocation')
    .option('--keys <path>', 'key file or directory, or s3://BUCKET/PREFIX/ (repeatable; default ./keys)', collect)
    .option('--json', 'print JSON on stdout')
    .action(async (flags: { keys?: string[]; json?: boolean }) => {
      const { listKeys } = await import('../commands/list-keys.js');
      const keys = await listKeys({ ...(flags.keys ? { keys: flags.keys } : {}), onWarning: printWarning });
      if (!flags.json) return writeOut(formatKeys(keys));
      await writeOut(JSON.stringify(keys, null, 2) + '\n');
      // the listing carries each key's warnings under the key; JSON readers get them on stderr too
      for (const warning of keys.flatMap((k) => k.warnings)) printWarning(warning);
    });
}
