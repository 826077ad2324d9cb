import { WorkflowTuning } from './config';
import type { WorkflowName } from '../statemachines/workflows';

/**
 * Each workflow's execution timeout (the ASL's top-level `TimeoutSeconds`,
 * https://docs.aws.amazon.com/step-functions/latest/dg/statemachine-structure.html), derived from the
 * tuning so that the workflows' own limits (busy waits, stack polls) always fire first with a clear
 * error, and the execution timeout only catches an execution that is stuck beyond them.
 */

/** Room for everything outside the wait loops: API calls and their throttling retries, notifications. */
const EXECUTION_TIMEOUT_MARGIN_SECONDS = 3_600;

/**
 * A fleet run waits (.sync) for its continuation executions, so its length grows with the fleet and
 * has no bound the tuning could give. 7 days: 100,000 tenants at 10 concurrent updates of about a
 * minute each take about 6.9 days.
 */
const FLEET_UPDATE_TIMEOUT_SECONDS = 7 * 24 * 3_600;

/** A Standard execution runs at most one year (https://docs.aws.amazon.com/step-functions/latest/dg/service-quotas.html). */
const STANDARD_MAX_EXECUTION_SECONDS = 365 * 24 * 3_600;

/**
 * The longest a per-tenant workflow legitimately waits: every busy wait, then every stack poll
 * (update-tenant waits MaxStackPolls x StackPollSeconds for its operation, by event or poll; its last
 * event wait may overshoot that by StackEventWaitSeconds, which the margin covers).
 */
function perTenantWaitBudgetSeconds(tuning: WorkflowTuning): number {
  return tuning.MaxBusyWaits * tuning.BusyWaitSeconds + tuning.MaxStackPolls * tuning.StackPollSeconds;
}

export function executionTimeoutSeconds(name: WorkflowName, tuning: WorkflowTuning): number {
  const perTenant = perTenantWaitBudgetSeconds(tuning) + EXECUTION_TIMEOUT_MARGIN_SECONDS;
  // change-tier waits (.sync) for update-tenant; create-tenant polls its own stack, then may wait (.sync) for update-tenant to bring it to a release
  // that landed meanwhile: its polls come on top of the child's budget.
  const createTenant = perTenant + tuning.MaxStackPolls * tuning.StackPollSeconds;
  const seconds =
    name === 'updateTenants'
      ? Math.max(FLEET_UPDATE_TIMEOUT_SECONDS, perTenant)
      : name === 'createTenant' || name === 'changeTier'
        ? createTenant
        : // The relay makes two API calls and never waits.
          name === 'stackEvents'
          ? EXECUTION_TIMEOUT_MARGIN_SECONDS
          : perTenant;
  if (seconds > STANDARD_MAX_EXECUTION_SECONDS) {
    throw new Error(
      `workflow tuning gives ${name} an execution timeout of ${seconds} s, beyond the ${STANDARD_MAX_EXECUTION_SECONDS} s (one year) a Standard execution may run; lower MaxBusyWaits/BusyWaitSeconds/MaxStackPolls/StackPollSeconds`,
    );
  }
  return seconds;
}
