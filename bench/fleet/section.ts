/**
 * The `fleet` section of `npm run bench`: a release across 1,000, 10,000 and 100,000 simulated tenants
 * (each size in a child process), then the bad release. Options after `fleet`:
 *   --tenants 1000[,10000,...]   sizes (default 1000,10000,100000)
 *   --failing 0.005              share of tenants whose update fails and rolls back (default 0.005: half the deployed
 *                                policy's 1 % error budget, so a wave halts only when its failures run well above
 *                                their expected share; at 1 % a wave's failures straddle its budget and about half
 *                                the waves halt, which measures the operator, not the rollout's throughput)
 *   --bad-release N | --no-bad-release   fleet size of the bad release run (default 1000)
 *   --bake SECONDS               bakeSeconds of the measured releases (default 0: a bake is a deliberate wait of the
 *                                policy, not throughput; the waves and canaries stay the deployed policy's)
 *   --no-throttling              no CloudFormation API rate limits
 *   --no-call-costs              skip the per-call wall costs measured first
 *   --service-scale N            also drive N stack updates straight at the services (an ideal rollout, no workflow)
 *   --wall-timeout MINUTES       wall-clock budget of each size's rollout (default 15, 45 for 100,000 tenants or more)
 */
import { MiB, type ResultRow } from '../measure';
import { measureCallCosts, measureServiceScaleInChild } from './call-costs';
import { detailLines, runFleetRolloutInChild, summaryLines, type FleetRunReport } from './rollout';

const RSS_TARGET = 2048 * MiB;
const WALL_TARGET_MS = 10 * 60_000;
const RATIO_TARGET = 1.5;
const HISTORY_TARGET = 25_000;

export interface FleetArguments {
  readonly sizes: readonly number[];
  readonly failingShare: number;
  readonly badReleaseTenants?: number;
  readonly throttling: boolean;
  readonly bakeSeconds: number;
  readonly callCosts: boolean;
  readonly serviceScale?: number;
  /** Wall-clock budget of each size's rollout, ms (undefined: 15 min, 45 min from 100,000 tenants). */
  readonly wallTimeoutMs?: number;
}

/** The default wall budget of one size's rollout: the 10-minute target is measured, not enforced by killing the run. */
function defaultWallTimeoutMs(tenants: number): number {
  return (tenants >= 100_000 ? 45 : 15) * 60_000;
}

export function parseFleetArguments(args: readonly string[]): FleetArguments {
  let sizes = [1000, 10_000, 100_000];
  let failingShare = 0.005;
  let badReleaseTenants: number | undefined = 1000;
  let throttling = true;
  let bakeSeconds = 0;
  let callCosts = true;
  let serviceScale: number | undefined;
  let wallTimeoutMs: number | undefined;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    const value = (): string => {
      const v = args[++i];
      if (v === undefined) throw new Error(`fleet: ${arg} needs a value`);
      return v;
    };
    const count = (text: string, field: string): number => {
      const n = Number(text.replace(/_/g, ''));
      if (!Number.isInteger(n) || n < 1) throw new Error(`fleet: ${field} must be whole numbers >= 1, got '${text}'`);
      return n;
    };
    if (arg === '--tenants')
      sizes = value()
        .split(',')
        .map((t) => count(t, '--tenants'));
    else if (arg === '--failing') {
      const text = value();
      failingShare = Number(text);
      if (!(failingShare >= 0 && failingShare <= 1)) throw new Error(`fleet: --failing must be a share from 0 to 1, got '${text}'`);
    } else if (arg === '--bad-release') badReleaseTenants = count(value(), '--bad-release');
    else if (arg === '--no-bad-release') badReleaseTenants = undefined;
    else if (arg === '--no-throttling') throttling = false;
    else if (arg === '--bake') {
      const text = value();
      bakeSeconds = Number(text);
      if (!Number.isInteger(bakeSeconds) || bakeSeconds < 0 || bakeSeconds > 604_800)
        throw new Error(`fleet: --bake must be whole seconds from 0 to 604800 (the policy's bakeSeconds rule), got '${text}'`);
    } else if (arg === '--no-call-costs') callCosts = false;
    else if (arg === '--service-scale') serviceScale = count(value(), '--service-scale');
    else if (arg === '--wall-timeout') {
      const text = value();
      const minutes = Number(text);
      if (!(minutes > 0 && minutes <= 24 * 60))
        throw new Error(`fleet: --wall-timeout must be minutes above 0 and at most 1440, got '${text}'`);
      wallTimeoutMs = minutes * 60_000;
    } else
      throw new Error(
        `fleet: unknown option '${arg}' (options: --tenants, --failing, --bad-release, --no-bad-release, --bake, --no-throttling, --no-call-costs, --service-scale, --wall-timeout)`,
      );
  }
  return { sizes, failingShare, badReleaseTenants, throttling, bakeSeconds, callCosts, serviceScale, wallTimeoutMs };
}

export async function fleetSection(args: FleetArguments, rows: ResultRow[], log: (line: string) => void): Promise<number> {
  let failures = 0;
  if (args.callCosts) {
    log('  wall cost per call on this machine (the parts a rollout is made of):');
    try {
      for (const c of await measureCallCosts({ log }))
        log(`    ${c.call}: ${c.meanMs.toFixed(3)} ms (${c.count.toLocaleString('en-US')} calls)`);
    } catch (error) {
      failures++;
      log(`  ERROR measuring call costs: ${(error as Error).stack ?? String(error)}`);
    }
  }
  const run = async (label: string, options: Parameters<typeof runFleetRolloutInChild>[0]): Promise<FleetRunReport | undefined> => {
    log(`  ${label}`);
    try {
      const report = await runFleetRolloutInChild(options, log);
      for (const line of [...detailLines(report), ...summaryLines(report)]) log(line.startsWith('  ') ? line : `  ${line}`);
      return report;
    } catch (error) {
      failures++;
      log(`  ERROR: ${((error as Error).stack ?? String(error)).split('\n').slice(0, 12).join('\n  ')}`);
      rows.push({ metric: `fleet: ${label}`, ours: 'error', peer: '-', ratio: '-', target: '-', verdict: 'error' });
      return undefined;
    }
  };
  if (args.serviceScale !== undefined) {
    const n = args.serviceScale.toLocaleString('en-US');
    log(`  services alone: ${n} stack updates from an ideal windowed driver (no workflow), each with 3 record writes`);
    try {
      const r = await measureServiceScaleInChild(args.serviceScale, log);
      log(
        `    ${Math.round(r.simulatedSeconds).toLocaleString('en-US')} s simulated (bound ${Math.round(r.boundSeconds).toLocaleString('en-US')} s, window ${r.window}), ${r.throttledCalls.toLocaleString('en-US')} throttled UpdateStacks; wall ${(r.wallMs / 1000).toFixed(0)} s (seed ${(r.seedWallMs / 1000).toFixed(0)} s), peak RSS ${(r.peakRssBytes / MiB).toFixed(0)} MiB`,
      );
      rows.push({
        metric: `fleet services alone, ${n} stack updates`,
        ours: `${(r.wallMs / 1000).toFixed(0)} s, ${(r.peakRssBytes / MiB).toFixed(0)} MiB`,
        peer: '-',
        ratio: `${(r.simulatedSeconds / r.boundSeconds).toFixed(2)}x bound`,
        target: '-',
        verdict: 'info',
      });
    } catch (error) {
      failures++;
      log(`  ERROR: ${(error as Error).stack ?? String(error)}`);
    }
  }
  for (const tenants of args.sizes) {
    const n = tenants.toLocaleString('en-US');
    const r = await run(`release across ${n} tenants (${(args.failingShare * 100).toFixed(1)} % failing)`, {
      tenants,
      failingShare: args.failingShare,
      throttling: args.throttling,
      policyOverride: JSON.stringify({ bakeSeconds: args.bakeSeconds }),
      wallTimeoutMs: args.wallTimeoutMs ?? defaultWallTimeoutMs(tenants),
    });
    if (!r) continue;
    const ratio = r.simulatedSeconds / r.boundSeconds;
    rows.push(
      {
        metric: `fleet ${n}: simulated rollout time`,
        ours: `${Math.round(r.simulatedSeconds).toLocaleString('en-US')} s`,
        peer: '-',
        ratio: `${ratio.toFixed(2)}x bound ${Math.round(r.boundSeconds).toLocaleString('en-US')} s`,
        target: `<= ${RATIO_TARGET}x bound`,
        verdict: ratio <= RATIO_TARGET ? 'met' : 'MISSED',
      },
      {
        metric: `fleet ${n}: max history`,
        ours: `${r.maxHistoryEvents.toLocaleString('en-US')} events`,
        peer: '-',
        ratio: '-',
        target: `<= ${HISTORY_TARGET.toLocaleString('en-US')}`,
        verdict: r.maxHistoryEvents <= HISTORY_TARGET ? 'met' : 'MISSED',
      },
      {
        metric: `fleet ${n}: wall time, peak RSS`,
        ours: `${(r.wallMs / 1000).toFixed(0)} s, ${(r.peakRssBytes / MiB).toFixed(0)} MiB`,
        peer: '-',
        ratio: '-',
        target: tenants >= 100_000 ? '< 600 s, < 2 GiB' : '< 2 GiB',
        verdict: r.peakRssBytes < RSS_TARGET && (tenants < 100_000 || r.wallMs < WALL_TARGET_MS) ? 'met' : 'MISSED',
      },
    );
  }
  if (args.badReleaseTenants !== undefined) {
    const r = await run(`bad release across ${args.badReleaseTenants.toLocaleString('en-US')} tenants (every update fails)`, {
      tenants: args.badReleaseTenants,
      badRelease: true,
      throttling: args.throttling,
    });
    if (r) {
      rows.push({
        metric: `fleet bad release (${args.badReleaseTenants.toLocaleString('en-US')} tenants): tenants touched`,
        ours: r.touched.toLocaleString('en-US'),
        peer: '-',
        ratio: `${r.rolloutState ?? 'no rollout item'}; ${r.errorBudget === undefined ? 'no error budget found' : `budget ${r.errorBudget}`}`,
        target: 'HALTED, <= error budget',
        verdict: r.errorBudget === undefined ? 'info' : r.rolloutState === 'HALTED' && r.touched <= r.errorBudget ? 'met' : 'MISSED',
      });
    }
  }
  return failures;
}
