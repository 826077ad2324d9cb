/**
 * The fleet bench's fixture and harness on the local cloud (the synthesized app deployed): seeded
 * tenants are what create-tenant leaves (ACTIVE record, live stack), a release upload carries its
 * release number, and a small rollout run of today's workflow reports what the services saw.
 * Correctness only; the sizes that matter run in `npm run bench -- fleet`.
 */
import { DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { VirtualTimeline } from '../../emulator/runtime/timeline';
import { startLocalCloud, type LocalCloud } from '../../local/cloud';
import { recordedTenantStackProviders } from '../../local/cloudformation';
import { currentTemplate, output, tenantStackName } from '../../local/cli/operations';
import { fleetBehaviour, fleetBucket, fleetTenantId, seedFleet } from '../../bench/fleet/fixture';
import { releaseBody, runFleetRollout, summaryLines } from '../../bench/fleet/rollout';

describe('seeding a fleet', () => {
  let cloud: LocalCloud;
  beforeAll(async () => {
    cloud = await startLocalCloud({
      timeline: new VirtualTimeline(),
      behaviour: fleetBehaviour({ tenants: 60 }),
      cloudformation: { providers: recordedTenantStackProviders(), resourceStatusEvents: false },
    });
    await cloud.idle();
  }, 120_000);
  afterAll(() => cloud?.close());

  test('every tenant gets an ACTIVE record pointing at its live CREATE_COMPLETE stack, with release, bucket and tier', async () => {
    const templateBody = await currentTemplate(cloud.clients, cloud.info);
    const { stackIds } = await seedFleet(cloud, { tenants: 60, templateBody, release: 1002000, templateVersion: '1.2.0', concurrency: 4 });
    const items = (await cloud.clients.dynamodb.send(new ScanCommand({ TableName: output(cloud.info, 'TenantTableName') }))).Items ?? [];
    const seeded = items.filter((i) => i.tenantId.S!.startsWith('t0')).sort((a, b) => a.tenantId.S!.localeCompare(b.tenantId.S!));
    expect(seeded).toHaveLength(60);
    for (const [i, item] of seeded.entries()) {
      expect(item.tenantId.S).toBe(fleetTenantId(i));
      expect(item.status.S).toBe('ACTIVE');
      expect(item.stackId.S).toBe(stackIds[i]);
      expect(item.release.N).toBe('1002000');
      expect(Number(item.bucket.N)).toBe(fleetBucket(i));
      expect(['standard', 'premium']).toContain(item.tier.S);
    }
    // Buckets spread over 0-9999 (percent waves find tenants in every bucket range).
    expect(new Set(seeded.map((i) => Math.floor(Number(i.bucket.N) / 1000))).size).toBe(10);
    const stack = (await cloud.clients.cloudformation.send(new DescribeStacksCommand({ StackName: tenantStackName(fleetTenantId(7)) })))
      .Stacks![0];
    expect(stack.StackId).toBe(stackIds[7]);
    expect(stack.StackStatus).toBe('CREATE_COMPLETE');
    expect(stack.Parameters).toEqual([
      { ParameterKey: 'TenantId', ParameterValue: fleetTenantId(7) },
      { ParameterKey: 'Tier', ParameterValue: 'standard' },
    ]);
    expect(stack.Outputs?.find((o) => o.OutputKey === 'TemplateVersion')?.OutputValue).toBeDefined();
  });

  test('a release body changes every tagged resource and the TemplateVersion output', async () => {
    const templateBody = await currentTemplate(cloud.clients, cloud.info);
    const body = JSON.parse(releaseBody(templateBody, 1002003)) as {
      Resources: Record<string, { Properties?: { Tags?: { Key: string; Value: string }[] } }>;
      Outputs: Record<string, { Value: unknown }>;
    };
    expect(body.Outputs.TemplateVersion.Value).toBe('1.2.3');
    const tagged = Object.values(body.Resources).filter((r) => Array.isArray(r.Properties?.Tags));
    expect(tagged.length).toBeGreaterThan(0);
    for (const r of tagged) expect(r.Properties!.Tags!.filter((t) => t.Key === 'release')).toEqual([{ Key: 'release', Value: '1002003' }]);
  });
});

test('a rollout run of the deployed workflow over a small fleet reports every stack touched and the calls the services answered', async () => {
  const report = await runFleetRollout({ tenants: 12, throttling: false, failingShare: 0 });
  expect(report.touched).toBe(12);
  expect(report.stackOutcomes).toEqual({ UPDATE_COMPLETE: 12 });
  expect(report.apiCalls['cloudformation:UpdateStack']).toBe(12);
  // The rollout and one child per tenant closed.
  expect(report.executions).toBeGreaterThanOrEqual(13);
  expect(report.maxHistoryEvents).toBeGreaterThan(0);
  expect(report.simulatedSeconds).toBeGreaterThanOrEqual(30);
  expect(summaryLines(report)[0]).toMatch(
    /^fleet rollout: 12 tenants, [\d,]+ s simulated, bound [\d,]+ s, ratio \d+\.\d\d, max history [\d,]+ events$/,
  );
}, 120_000);
