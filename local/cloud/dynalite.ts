/**
 * dynalite on loopback, until local/dynamodb.ts (startDynamo) is available to the composition:
 * in memory, or in `dataDir` (LevelDB) when given. Table operations complete at once.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const dynalite = require('dynalite') as (options: Record<string, unknown>) => Server;

export async function startDynalite(
  options: { dataDir?: string; port?: number; host?: string } = {},
): Promise<{ endpoint: string; close(): Promise<void> }> {
  const host = options.host ?? '127.0.0.1';
  const server = dynalite({ path: options.dataDir, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  return {
    endpoint: `http://${host}:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((done) => {
        server.close(() => done());
        (server as Server & { closeAllConnections?: () => void }).closeAllConnections?.();
      }),
  };
}
