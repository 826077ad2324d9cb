/**
 * `.local-cloud/endpoints.json`: where a running `npm start` says its endpoints and the management
 * stack's outputs are, so `npm run tenants` finds them without flags. Written at start, removed at
 * a clean stop; a stale file is detected by the CLI when its endpoints do not answer.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { StackInfo } from './operations';

export const ENDPOINTS_FILE = join(__dirname, '..', '..', '.local-cloud', 'endpoints.json');

export interface StateFile extends StackInfo {
  readonly pid: number;
  readonly startedAt: string;
  readonly dataDir?: string;
}

export function writeStateFile(info: StackInfo, extra: { dataDir?: string } = {}, path = ENDPOINTS_FILE): string {
  mkdirSync(dirname(path), { recursive: true });
  const state: StateFile = { ...info, pid: process.pid, startedAt: new Date().toISOString(), ...extra };
  writeFileSync(path, `${JSON.stringify(state, null, 2)}\n`);
  return path;
}

export function readStateFile(path = ENDPOINTS_FILE): StateFile | undefined {
  if (!existsSync(path)) return undefined;
  const parsed = JSON.parse(readFileSync(path, 'utf8')) as StateFile;
  if (!parsed.endpoints || !parsed.outputs || !parsed.templateObjectKey)
    throw new Error(`${path}: not a local cloud state file (endpoints, outputs, templateObjectKey expected)`);
  return parsed;
}

export function removeStateFile(path = ENDPOINTS_FILE): void {
  try {
    const state = readStateFile(path);
    if (state?.pid === process.pid) rmSync(path, { force: true });
  } catch {
    /* not ours or unreadable: leave it */
  }
}
