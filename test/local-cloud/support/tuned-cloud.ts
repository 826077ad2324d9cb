/**
 * A test cloud deployed from the management stack with other workflow tuning (support/tuned-app.ts:
 * the same CDK code, other props), for tests that need small pages or few segments.
 */
import type { WorkflowTuning } from '../../../infra/config';
import { synthesizeApp } from '../../../local/deploy/synth';
import { startTestCloud, type TestCloud } from './test-cloud';

export async function startTunedTestCloud(tuning: Partial<WorkflowTuning>): Promise<TestCloud> {
  const assembly = await synthesizeApp({
    app: 'npx tsx test/local-cloud/support/tuned-app.ts',
    env: { TUNED_APP_WORKFLOW_TUNING: JSON.stringify(tuning) },
    sources: ['test/local-cloud/support/tuned-app.ts'],
  });
  return startTestCloud({ assembly });
}
