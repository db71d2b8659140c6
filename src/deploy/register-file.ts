import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { RegisterError } from '../core/deploy-entry.js';
import type { RegisterSource } from './types.js';

/** The most a register file may be: thousands of entries stay far below it. */
const MAX_REGISTER_BYTES = 4 * 1024 * 1024;

/** A local register: one JSON file mapping project names to entries. Read once, on the first entry asked for. */
export function fileRegister(path: string): RegisterSource {
  let loaded: Promise<Record<string, unknown>> | null = null;
  return {
    description: path,
    baseDir: dirname(resolve(path)),
    async readEntry(project) {
      loaded ??= loadRegister(path);
      const register = await loaded;
      return Object.hasOwn(register, project) ? register[project] : undefined;
    },
  };
}

async function loadRegister(path: string): Promise<Record<string, unknown>> {
  let text: Buffer;
  try {
    text = await readFile(path);
  } catch (error) {
    throw new RegisterError(`cannot read the register ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, { cause: error });
  }
  if (text.length > MAX_REGISTER_BYTES) throw new RegisterError(`the register ${path} is over ${MAX_REGISTER_BYTES} bytes`);
  let value: unknown;
  try {
    value = JSON.parse(text.toString('utf8'));
  } catch (error) {
    throw new RegisterError(`the register ${path} is not valid JSON: ${(error as Error).message}`, { cause: error });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new RegisterError(`the register ${path} must be a JSON object mapping project names to entries`);
  return value as Record<string, unknown>;
}
