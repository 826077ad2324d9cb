import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { acquireEndpoint, type EndpointHandle } from './sfn-endpoint';
import { HISTORY_DIR, SUITE_MODE_FILE } from './workflow-harness';

declare global {
  var __sfnEndpoint: EndpointHandle | undefined;
}

/** Starts (or finds) the one Step Functions endpoint of this jest run; see sfn-endpoint.ts. */
export default async function globalSetup(): Promise<void> {
  rmSync(HISTORY_DIR, { recursive: true, force: true });
  const endpoint = await acquireEndpoint();
  globalThis.__sfnEndpoint = endpoint;
  process.env.SFN_SUITE_MODE = endpoint.mode;
  if (endpoint.url) process.env.SFN_SUITE_ENDPOINT = endpoint.url;
  mkdirSync(dirname(SUITE_MODE_FILE), { recursive: true });
  writeFileSync(SUITE_MODE_FILE, JSON.stringify({ mode: endpoint.mode, url: endpoint.url, skipReason: endpoint.skipReason }));
  if (endpoint.skipReason) {
    process.env.SFN_SUITE_SKIP_REASON = endpoint.skipReason;
    console.warn(`\nworkflow suites SKIPPED: ${endpoint.skipReason}\n`);
  }
}
