/**
 * Runs a bench module in a child process (tsx loader), sends it `message`, and resolves with its
 * answer `{ok, report | error}`. Messages `{progress}` before the answer go to `onProgress`.
 */
import { fork } from 'child_process';
import { join } from 'path';

const REPO_ROOT = join(__dirname, '..');

export function runInChild<T>(
  modulePath: string,
  message: unknown,
  timeoutMs: number,
  options: { nodeArgs?: string[]; env?: Record<string, string>; onProgress?: (progress: string) => void } = {},
): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = fork(modulePath, [], {
      cwd: REPO_ROOT,
      execArgv: ['--import', 'tsx', ...(options.nodeArgs ?? [])],
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    let settled = false;
    const settle = (fn: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      fn();
    };
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      settle(() => reject(new Error(`${modulePath}: no answer within ${timeoutMs} ms`)));
    }, timeoutMs);
    child.on('message', (reply) => {
      const r = reply as { ok: boolean; report?: T; error?: string; progress?: string };
      if (r.progress !== undefined) {
        options.onProgress?.(r.progress);
        return;
      }
      settle(() => (r.ok ? resolve(r.report as T) : reject(new Error(`${modulePath}: ${r.error}`))));
    });
    child.on('error', (error) => settle(() => reject(error)));
    child.on('exit', (code, signal) => settle(() => reject(new Error(`${modulePath} exited (${signal ?? code}) without answering`))));
    child.send(message as object);
  });
}
