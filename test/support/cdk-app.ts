/**
 * CDK Apps for tests. An App without `outdir` synthesizes into a `cdk.out*` folder of the system temp
 * directory that nothing removes; these write into a `mkdtemp` folder removed after the test file.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, type AppProps } from 'aws-cdk-lib';

const outdirs: string[] = [];
// Registered when a test file imports this module, so it runs after that file's tests.
afterAll(() => {
  for (const dir of outdirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A fresh App synthesizing into its own temporary folder (`outdir` of the returned App). */
export function testApp(props: Omit<AppProps, 'outdir'> = {}): App {
  const outdir = mkdtempSync(join(tmpdir(), 'cdk-test-'));
  outdirs.push(outdir);
  return new App({ ...props, outdir });
}
