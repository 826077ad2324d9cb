/**
 * Where the workflow suites send their Step Functions API calls. Decided once per `jest` run
 * (globalSetup) and handed to the test workers through environment variables:
 *
 *   default            this repo's engine, started in-process on an ephemeral loopback port, with
 *                      mocks/MockConfigFile.json loaded
 *   SFN_ENDPOINT=URL   any external endpoint (AWS's Step Functions Local, our `npm run emulator -- serve`)
 *   SFN_LOCAL_DOCKER=1 amazon/aws-stepfunctions-local started with testcontainers, the mock file
 *                      mounted and named by SFN_MOCK_CONFIG
 *
 * A mode whose endpoint or Docker engine is absent sets SFN_SUITE_SKIP_REASON: the suites are then
 * reported as skipped (never as passed) and the coverage gate fails, saying why.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Engine } from '../../emulator/runtime/engine';
import { MockConfig } from '../../emulator/runtime/mock-config';
import { startServer } from '../../emulator/api/server';

export const MOCK_CONFIG_PATH = join(__dirname, '..', '..', 'mocks', 'MockConfigFile.json');
export const SFN_LOCAL_IMAGE = 'amazon/aws-stepfunctions-local';
const MOCK_PATH_IN_CONTAINER = '/home/StepFunctionsLocal/MockConfigFile.json';

export interface EndpointHandle {
  url?: string;
  mode: 'engine' | 'external' | 'docker';
  skipReason?: string;
  stop(): Promise<void>;
}

export async function acquireEndpoint(env: NodeJS.ProcessEnv = process.env): Promise<EndpointHandle> {
  if (env.SFN_ENDPOINT) return externalEndpoint(env.SFN_ENDPOINT);
  if (env.SFN_LOCAL_DOCKER === '1') return dockerEndpoint();
  if (!existsSync(MOCK_CONFIG_PATH)) {
    return { mode: 'engine', skipReason: `${MOCK_CONFIG_PATH} does not exist`, stop: async () => undefined };
  }
  const engine = new Engine({ mockConfig: MockConfig.fromFile(MOCK_CONFIG_PATH) });
  const server = await startServer({ engine, port: 0 });
  return { url: server.url, mode: 'engine', stop: () => server.close() };
}

async function externalEndpoint(url: string): Promise<EndpointHandle> {
  const stop = async () => undefined;
  try {
    // Any HTTP answer (even an error document) proves something is listening.
    await fetch(url, { method: 'POST', signal: AbortSignal.timeout(3000) });
    return { url, mode: 'external', stop };
  } catch (error) {
    return { mode: 'external', skipReason: `SFN_ENDPOINT ${url} is not reachable (${(error as Error).message})`, stop };
  }
}

async function dockerEndpoint(): Promise<EndpointHandle> {
  const noop = async () => undefined;
  let testcontainers: typeof import('testcontainers');
  try {
    testcontainers = await import('testcontainers');
    await testcontainers.getContainerRuntimeClient();
  } catch (error) {
    return { mode: 'docker', skipReason: `SFN_LOCAL_DOCKER=1 but no Docker engine is available (${firstLine(error)})`, stop: noop };
  }
  try {
    const container = await new testcontainers.GenericContainer(SFN_LOCAL_IMAGE)
      .withExposedPorts(8083)
      .withCopyFilesToContainer([{ source: MOCK_CONFIG_PATH, target: MOCK_PATH_IN_CONTAINER }])
      .withEnvironment({ SFN_MOCK_CONFIG: MOCK_PATH_IN_CONTAINER, AWS_DEFAULT_REGION: 'us-east-1' })
      .withWaitStrategy(testcontainers.Wait.forLogMessage(/Starting server on port 8083/))
      .start();
    const url = `http://${container.getHost()}:${container.getMappedPort(8083)}`;
    return {
      url,
      mode: 'docker',
      stop: async () => {
        await container.stop();
      },
    };
  } catch (error) {
    return { mode: 'docker', skipReason: `could not start ${SFN_LOCAL_IMAGE} (${firstLine(error)})`, stop: noop };
  }
}

function firstLine(error: unknown): string {
  return String((error as Error)?.message ?? error).split('\n')[0];
}
