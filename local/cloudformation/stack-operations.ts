/**
 * Stack operations as CloudFormation runs them, on the shared time line: create, update, delete,
 * their rollbacks and ContinueUpdateRollback. Resources are processed in dependency order (a resource
 * starts when everything it references is done; independent ones run side by side), each resource
 * step emits the stack events CloudFormation emits, and the stack moves through the documented
 * statuses (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/view-stack-events.html#cfn-console-view-stack-data-resources-status-codes):
 *
 *   create:  CREATE_IN_PROGRESS → CREATE_COMPLETE
 *            | → ROLLBACK_IN_PROGRESS → ROLLBACK_COMPLETE | ROLLBACK_FAILED   (a resource failed; default OnFailure=ROLLBACK)
 *            | → CREATE_FAILED                                               (OnFailure=DO_NOTHING / DisableRollback)
 *   update:  UPDATE_IN_PROGRESS → UPDATE_COMPLETE_CLEANUP_IN_PROGRESS → UPDATE_COMPLETE
 *            | → UPDATE_ROLLBACK_IN_PROGRESS → UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS → UPDATE_ROLLBACK_COMPLETE
 *            |                               → UPDATE_ROLLBACK_FAILED (→ ContinueUpdateRollback)
 *   delete:  DELETE_IN_PROGRESS → DELETE_COMPLETE | DELETE_FAILED
 *
 * An operation's duration (from the behaviour rules) is spread over the longest dependency chain of
 * the resources it touches, so the whole operation takes about that long. Every resource step holds
 * one slot of the account's concurrent-resources budget; when none is free it waits.
 */
import { randomUUID } from 'node:crypto';
import { flatRandomUUID } from '../ids';
import type { Timeline } from '../../emulator/runtime/timeline';
import { ExecutionStopSignal } from '../../emulator/runtime/clock';
import type { ServiceEvent } from '../service-events';
import type { BehaviourController, ResolvedStackBehaviour, StackOperationKind } from './behaviour';
import { evaluate, evaluateCondition, EvaluationError, type EvaluationContext } from './intrinsics';
import { parameterValues } from './parameters';
import type { ProviderContext, ResourceProvider } from './providers/provider';
import {
  copyOfRecord,
  type Deployment,
  type ResourceRecord,
  type ResourceStatus,
  type StackEvent,
  type StackOutput,
  type StackRecord,
  type StackStatus,
} from './stack-model';
import type { ResourceDeclaration, Template } from './template';

export interface OperationHost {
  readonly timeline: Timeline;
  readonly region: string;
  readonly accountId: string;
  readonly behaviour: BehaviourController;
  readonly publishResourceEvents: boolean;
  /** Keep at most this many events per stack, dropping the oldest (large simulated fleets); unlimited when undefined. */
  readonly maxEventsPerStack?: number;
  provider(type: string): ResourceProvider | undefined;
  template(body: string): Template;
  persist(stack: StackRecord): void;
  publish(event: ServiceEvent): void;
  /** The value an export name has in another live stack, if any. */
  findExport(name: string): { stackId: string; value: string } | undefined;
  /** The stack left the live name index (DELETE_COMPLETE). */
  stackDeleted(stack: StackRecord): void;
}

/** A bounded pool: how many resources may be in progress across all stacks at once. */
export class ResourceSlots {
  private inUse = 0;
  private waiting: (() => void)[] = [];
  private stopped = false;

  constructor(private readonly limit: () => number) {}

  /** Waits for a free slot; rejects once the service stops (close()). */
  async acquire(): Promise<() => void> {
    while (this.inUse >= this.limit() && !this.stopped) await new Promise<void>((resolve) => this.waiting.push(resolve));
    if (this.stopped) throw new Error('the local CloudFormation stopped');
    this.inUse++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.inUse--;
      this.waiting.shift()?.();
    };
  }

  get busy(): number {
    return this.inUse;
  }

  stop(): void {
    this.stopped = true;
    const waiting = this.waiting;
    this.waiting = [];
    for (const wake of waiting) wake();
  }
}

interface Step {
  readonly id: string;
  readonly deps: readonly string[];
  /** Resolves true when the step succeeded. */
  run(): Promise<boolean>;
}

/** Runs steps as their dependencies complete; after a failure (or a stop) starts no new step and waits for the running ones. */
function runGraph(steps: readonly Step[], stop: () => boolean): Promise<void> {
  const ids = new Set(steps.map((s) => s.id));
  const done = new Set<string>();
  const started = new Set<string>();
  let running = 0;
  return new Promise((resolve) => {
    const pump = (): void => {
      if (!stop()) {
        for (const s of steps) {
          if (started.has(s.id) || !s.deps.every((d) => !ids.has(d) || done.has(d))) continue;
          started.add(s.id);
          running++;
          s.run().then(
            (ok) => {
              if (ok) done.add(s.id);
              running--;
              pump();
            },
            () => {
              running--;
              pump();
            },
          );
        }
      }
      if (running === 0) resolve();
    };
    pump();
  });
}

/** Longest dependency chain among the steps (at least 1). */
function depthOf(steps: readonly Step[]): number {
  const byId = new Map(steps.map((s) => [s.id, s]));
  const memo = new Map<string, number>();
  const depth = (id: string): number => {
    if (memo.has(id)) return memo.get(id)!;
    memo.set(id, 1);
    const s = byId.get(id)!;
    const d = 1 + Math.max(0, ...s.deps.filter((x) => byId.has(x)).map(depth));
    memo.set(id, d);
    return d;
  };
  return Math.max(1, ...steps.map((s) => depth(s.id)));
}

/** Inverts dependencies: a resource is deleted after everything that depends on it. */
function reverseDeps(declarations: readonly ResourceDeclaration[], ids: ReadonlySet<string>): Map<string, string[]> {
  const dependents = new Map<string, string[]>();
  for (const id of ids) dependents.set(id, []);
  for (const d of declarations) {
    if (!ids.has(d.logicalId)) continue;
    for (const dep of d.dependencies) if (ids.has(dep)) dependents.get(dep)!.push(d.logicalId);
  }
  return dependents;
}

/** Distinct property values kept for sharing between stacks (a few thousand strings: well under a MiB). */
const CANONICAL_VALUES = 4096;

class OperationFailure {
  readonly failed: string[] = [];
  /** The first failure's reason when no resource is to blame (an output, an export). */
  stackReason?: string;
  forcedUsed = false;
  get any(): boolean {
    return this.failed.length > 0 || this.stackReason !== undefined;
  }
}

export class StackOperations {
  private readonly stopSignal = new ExecutionStopSignal();
  private readonly running = new Set<Promise<void>>();
  /** The failure record of each update in its UPDATE_IN_PROGRESS phase (CancelUpdateStack marks it). */
  private readonly runningUpdates = new Map<string, OperationFailure>();
  /** Canonical copies of evaluated property values (see `shared`). */
  private readonly canonical = new Map<string, unknown>();
  readonly slots: ResourceSlots;

  constructor(private readonly host: OperationHost) {
    this.slots = new ResourceSlots(() => host.behaviour.getLimits().concurrentResources);
  }

  /** Stops every operation at its next wait (close()); the stacks keep their in-progress status. */
  async stop(): Promise<void> {
    this.stopSignal.stop();
    this.slots.stop();
    await Promise.allSettled([...this.running]);
  }

  /** Resolves when no operation runs (they need the time line to advance to finish). */
  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
  }

  get stopped(): boolean {
    return this.stopSignal.aborted;
  }

  private launch(work: () => Promise<void>): void {
    const promise = work()
      .catch((error) => {
        // An operation never throws by design; if it does, say so rather than hang silently.
        console.error('local CloudFormation: stack operation failed unexpectedly', error);
      })
      .finally(() => this.running.delete(promise));
    this.running.add(promise);
  }

  // ---- events and statuses -------------------------------------------------------------------------

  private addEvent(
    stack: StackRecord,
    event: Omit<StackEvent, 'eventId' | 'stackId' | 'stackName' | 'timestamp' | 'clientRequestToken'>,
  ): void {
    // Every field in one order (no spread): the events, a stack's largest part after its resources,
    // share one hidden class and keep their fields in the object.
    const full: StackEvent = {
      eventId: flatRandomUUID(),
      stackId: stack.stackId,
      stackName: stack.stackName,
      logicalResourceId: event.logicalResourceId,
      physicalResourceId: event.physicalResourceId,
      resourceType: event.resourceType,
      timestamp: this.host.timeline.now(),
      resourceStatus: event.resourceStatus,
      resourceStatusReason: event.resourceStatusReason,
      resourceProperties: event.resourceProperties,
      clientRequestToken: stack.operationToken,
    };
    stack.events.push(full);
    const max = this.host.maxEventsPerStack;
    if (max !== undefined && stack.events.length > max) stack.events.splice(0, stack.events.length - max);
  }

  setStatus(stack: StackRecord, status: StackStatus, reason?: string): void {
    stack.status = status;
    stack.statusReason = reason;
    this.addEvent(stack, {
      logicalResourceId: stack.stackName,
      physicalResourceId: stack.stackId,
      resourceType: 'AWS::CloudFormation::Stack',
      resourceStatus: status,
      resourceStatusReason: reason,
    });
    this.host.persist(stack);
    // "CloudFormation Stack Status Change" (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/event-detail-stack-status-change.html).
    this.host.publish({
      source: 'aws.cloudformation',
      detailType: 'CloudFormation Stack Status Change',
      detail: {
        'stack-id': stack.stackId,
        'status-details': { status, 'status-reason': reason ?? '' },
        'client-request-token': stack.operationToken ?? '',
      },
      resources: [stack.stackId],
      account: this.host.accountId,
      region: this.host.region,
      time: this.host.timeline.now(),
    });
  }

  private resourceEvent(stack: StackRecord, record: ResourceRecord, status: ResourceStatus, reason?: string, withProperties = false): void {
    record.status = status;
    record.statusReason = reason;
    record.timestamp = this.host.timeline.now();
    this.addEvent(stack, {
      logicalResourceId: record.logicalId,
      physicalResourceId: record.physicalId ?? '',
      resourceType: record.type,
      resourceStatus: status,
      resourceStatusReason: reason,
      resourceProperties: withProperties ? JSON.stringify(record.properties) : undefined,
    });
    this.host.persist(stack);
    if (this.host.publishResourceEvents) {
      // "CloudFormation Resource Status Change" (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/event-detail-resource-status-change.html).
      this.host.publish({
        source: 'aws.cloudformation',
        detailType: 'CloudFormation Resource Status Change',
        detail: {
          'stack-id': stack.stackId,
          'logical-resource-id': record.logicalId,
          'physical-resource-id': record.physicalId ?? '',
          'status-details': { status, 'status-reason': reason ?? '' },
          'resource-type': record.type,
          'client-request-token': stack.operationToken ?? '',
        },
        resources: [stack.stackId],
        account: this.host.accountId,
        region: this.host.region,
        time: this.host.timeline.now(),
      });
    }
  }

  // ---- evaluation -------------------------------------------------------------------------------

  private context(stack: StackRecord, deployment: Deployment, template: Template): EvaluationContext {
    const conditionCache = new Map<string, boolean>();
    const declarations = new Map(template.resources.map((r) => [r.logicalId, r]));
    const ctx: EvaluationContext = {
      pseudo: {
        stackName: stack.stackName,
        stackId: stack.stackId,
        region: this.host.region,
        accountId: this.host.accountId,
        notificationArns: stack.notificationArns,
      },
      parameters: parameterValues(template, deployment.parameters),
      mappings: template.mappings,
      condition: (name) => {
        if (!conditionCache.has(name)) {
          if (!(name in template.conditions)) throw new EvaluationError(`Template error: unresolved condition dependency ${name}`);
          conditionCache.set(name, evaluateCondition(template.conditions[name], ctx));
        }
        return conditionCache.get(name)!;
      },
      isResource: (id) => declarations.has(id),
      resourceRef: (id) => {
        const physicalId = deployment.resources[id]?.physicalId;
        if (physicalId === undefined) throw new EvaluationError(`Template error: resource ${id} has no physical id yet`);
        return physicalId;
      },
      resourceAttribute: (id, attribute) => {
        const record = deployment.resources[id];
        const provider = this.host.provider(declarations.get(id)?.type ?? '');
        if (provider && !provider.attributes.includes(attribute)) {
          throw new EvaluationError(`Template error: resource ${id} does not support attribute type ${attribute} in Fn::GetAtt`);
        }
        const value = record?.attributes[attribute];
        if (value === undefined) throw new EvaluationError(`Template error: attribute ${attribute} of ${id} is not available`);
        return value;
      },
      importValue: (name) => {
        const found = this.host.findExport(name);
        if (!found || found.stackId === stack.stackId) throw new EvaluationError(`No export named ${name} found.`);
        return found.value;
      },
    };
    return ctx;
  }

  /** The template's resources whose Condition holds. */
  private activeResources(template: Template, ctx: EvaluationContext): ResourceDeclaration[] {
    return template.resources.filter((r) => r.condition === undefined || ctx.condition(r.condition));
  }

  private evaluateOutputs(stack: StackRecord, deployment: Deployment, template: Template): StackOutput[] {
    const ctx = this.context(stack, deployment, template);
    const outputs: StackOutput[] = [];
    for (const o of template.outputs) {
      if (o.condition !== undefined && !ctx.condition(o.condition)) continue;
      const value = evaluate(o.value, ctx);
      const exportName = o.exportName === undefined ? undefined : String(evaluate(o.exportName, ctx));
      if (exportName !== undefined) {
        const other = this.host.findExport(exportName);
        if (other && other.stackId !== stack.stackId)
          throw new EvaluationError(`Export with name ${exportName} is already exported by stack ${other.stackId.split('/')[1]}`);
      }
      outputs.push({ key: o.key, value: Array.isArray(value) ? value.join(',') : String(value), description: o.description, exportName });
    }
    return outputs;
  }

  private providerContext(stack: StackRecord, logicalId: string): ProviderContext {
    return {
      stackName: stack.stackName,
      stackId: stack.stackId,
      logicalId,
      region: this.host.region,
      accountId: this.host.accountId,
      now: this.host.timeline.now(),
    };
  }

  /** An operation lasts at least its configured duration, even when few of its resources change. */
  private async padTo(startedAt: number, durationMs: number): Promise<boolean> {
    return this.sleep(startedAt + durationMs - this.host.timeline.now());
  }

  private async sleep(ms: number): Promise<boolean> {
    return this.host.timeline.sleep(ms, this.stopSignal);
  }

  /**
   * Evaluated properties with every nested array and object that equals one seen before replaced by that
   * earlier copy: stacks of one template share what does not depend on their parameters (key schemas,
   * policy documents), which is most of a tenant stack's resource properties. Safe because a resource's
   * properties are replaced, never changed in place. At most CANONICAL_VALUES distinct values are kept.
   */
  private shared<T>(value: T): T {
    return this.canonicalOf(value).value as T;
  }

  /** The canonical copy of `value` and its JSON text (built from the children's, so each level is serialized once). */
  private canonicalOf(value: unknown): { value: unknown; key: string } {
    if (value === null || typeof value !== 'object') return { value, key: JSON.stringify(value) ?? 'undefined' };
    let copy: unknown;
    let key: string;
    if (Array.isArray(value)) {
      const items = value.map((v) => this.canonicalOf(v));
      copy = items.map((c) => c.value);
      key = `[${items.map((c) => c.key).join(',')}]`;
    } else {
      const children = Object.entries(value).map(([k, v]) => [k, this.canonicalOf(v)] as const);
      copy = Object.fromEntries(children.map(([k, c]) => [k, c.value]));
      // As JSON has it: an undefined member is left out of the text (the copy keeps it, as evaluated).
      key = `{${children
        .filter(([, c]) => c.value !== undefined)
        .map(([k, c]) => `${JSON.stringify(k)}:${c.key}`)
        .join(',')}}`;
    }
    const known = this.canonical.get(key);
    if (known !== undefined) return { value: known, key };
    if (this.canonical.size < CANONICAL_VALUES) this.canonical.set(key, copy);
    return { value: copy, key };
  }

  private track<T>(work: Promise<T>): Promise<T> {
    return this.host.timeline.track(work);
  }

  private forcedFailure(behaviour: ResolvedStackBehaviour, failure: OperationFailure, logicalId: string): string | undefined {
    if (behaviour.failResource === undefined) return undefined;
    if (behaviour.failResource === logicalId || (behaviour.failResource === '*' && !failure.forcedUsed)) {
      failure.forcedUsed = true;
      return (
        behaviour.failureReason ??
        `Resource handler returned message: "Injected failure of ${logicalId} (local CloudFormation behaviour rule)" (RequestToken: ${randomUUID()}, HandlerErrorCode: InternalFailure)`
      );
    }
    return undefined;
  }

  // ---- seeding (a test and bench affordance, not a CloudFormation operation) -----------------------

  /**
   * Provisions the stack's resources at once, in dependency order, and leaves it in `status` with one
   * stack event and no published event: how a fixture installs thousands of stacks that exist
   * already. Throws (and leaves the stack as it was) when a resource cannot be provisioned.
   */
  async install(stack: StackRecord, status: 'CREATE_COMPLETE' | 'UPDATE_COMPLETE'): Promise<void> {
    const template = this.host.template(stack.current.templateBody);
    const deployment = stack.current;
    const ctx = this.context(stack, deployment, template);
    const pending = new Map(this.activeResources(template, ctx).map((d) => [d.logicalId, d]));
    while (pending.size > 0) {
      const ready = [...pending.values()].filter((d) => d.dependencies.every((dep) => !pending.has(dep)));
      if (ready.length === 0) throw new Error(`stack ${stack.stackName}: circular dependency among ${[...pending.keys()].join(', ')}`);
      for (const decl of ready) {
        pending.delete(decl.logicalId);
        const provider = this.host.provider(decl.type);
        if (!provider) throw new Error(`Resource type ${decl.type} is not supported by the local CloudFormation`);
        const properties = this.shared(evaluate(decl.properties, this.context(stack, deployment, template)) as Record<string, unknown>);
        const provisioned = await this.track(provider.create(properties, this.providerContext(stack, decl.logicalId)));
        deployment.resources[decl.logicalId] = copyOfRecord({
          logicalId: decl.logicalId,
          type: decl.type,
          physicalId: provisioned.physicalId,
          status: 'CREATE_COMPLETE',
          timestamp: this.host.timeline.now(),
          properties,
          attributes: provisioned.attributes,
          deletionPolicy: decl.deletionPolicy,
          updateReplacePolicy: decl.updateReplacePolicy,
        });
      }
    }
    deployment.outputs = this.evaluateOutputs(stack, deployment, template);
    stack.status = status;
    stack.statusReason = undefined;
    this.addEvent(stack, {
      logicalResourceId: stack.stackName,
      physicalResourceId: stack.stackId,
      resourceType: 'AWS::CloudFormation::Stack',
      resourceStatus: status,
    });
    this.host.persist(stack);
  }

  // ---- create ----------------------------------------------------------------------------------

  /** Starts a create; the stack is already CREATE_IN_PROGRESS. */
  startCreate(stack: StackRecord): void {
    const behaviour = this.host.behaviour.forOperation(stack.stackName, 'create');
    this.launch(() => this.runCreate(stack, behaviour));
  }

  private async runCreate(stack: StackRecord, behaviour: ResolvedStackBehaviour): Promise<void> {
    const operationId = stack.operationId;
    const template = this.host.template(stack.current.templateBody);
    const deployment = stack.current;
    const ctx = this.context(stack, deployment, template);
    const failure = new OperationFailure();
    let resources: ResourceDeclaration[];
    try {
      resources = this.activeResources(template, ctx);
    } catch (error) {
      failure.stackReason = (error as Error).message;
      resources = [];
    }
    const cancelled = (): boolean => failure.any || this.stopped || stack.operationId !== operationId;
    const steps: Step[] = resources.map((decl) => ({
      id: decl.logicalId,
      deps: decl.dependencies,
      run: () => this.createResource(stack, deployment, template, decl, stepMs, behaviour, failure, 'CREATE'),
    }));
    const stepMs = behaviour.durationMs / depthOf(steps);
    const startedAt = this.host.timeline.now();
    await runGraph(steps, cancelled);
    if (this.stopped || stack.operationId !== operationId) return; // stopped, or DeleteStack took over (delete while creating).
    if (!failure.any && !(await this.padTo(startedAt, behaviour.durationMs))) return;
    if (stack.operationId !== operationId) return;
    if (!failure.any) {
      try {
        deployment.outputs = this.evaluateOutputs(stack, deployment, template);
      } catch (error) {
        failure.stackReason = (error as Error).message;
      }
    }
    if (!failure.any) {
      this.setStatus(stack, 'CREATE_COMPLETE');
      return;
    }
    const reason = failure.stackReason ?? `The following resource(s) failed to create: [${failure.failed.join(', ')}]. `;
    if (stack.onFailure === 'DO_NOTHING') {
      this.setStatus(stack, 'CREATE_FAILED', reason);
      return;
    }
    this.setStatus(stack, 'ROLLBACK_IN_PROGRESS', failure.stackReason ?? `${reason.trim()} Rollback requested by user.`);
    await this.runRollback(stack, behaviour);
  }

  /** Creates one resource (for a create, or a new resource / a replacement within an update). */
  private async createResource(
    stack: StackRecord,
    deployment: Deployment,
    template: Template,
    decl: ResourceDeclaration,
    stepMs: number,
    behaviour: ResolvedStackBehaviour,
    failure: OperationFailure,
    kind: 'CREATE' | 'REPLACE',
  ): Promise<boolean> {
    const release = await this.slots.acquire();
    try {
      const existing = deployment.resources[decl.logicalId];
      const record: ResourceRecord = copyOfRecord(
        kind === 'REPLACE' && existing
          ? { ...existing, physicalId: undefined, attributes: {} }
          : {
              logicalId: decl.logicalId,
              type: decl.type,
              status: 'CREATE_IN_PROGRESS',
              timestamp: this.host.timeline.now(),
              properties: {},
              attributes: {},
              deletionPolicy: decl.deletionPolicy,
              updateReplacePolicy: decl.updateReplacePolicy,
            },
      );
      record.createdByOperation = stack.operationId;
      deployment.resources[decl.logicalId] = record;
      const inProgress: ResourceStatus = kind === 'CREATE' ? 'CREATE_IN_PROGRESS' : 'UPDATE_IN_PROGRESS';
      const failed: ResourceStatus = kind === 'CREATE' ? 'CREATE_FAILED' : 'UPDATE_FAILED';
      const complete: ResourceStatus = kind === 'CREATE' ? 'CREATE_COMPLETE' : 'UPDATE_COMPLETE';
      this.resourceEvent(
        stack,
        record,
        inProgress,
        kind === 'REPLACE' ? 'Requested update requires the creation of a new physical resource; hence creating one.' : undefined,
      );
      const fail = (reason: string): boolean => {
        failure.failed.push(decl.logicalId);
        this.resourceEvent(stack, record, failed, reason);
        return false;
      };
      let properties: Record<string, unknown>;
      try {
        properties = this.shared(evaluate(decl.properties, this.context(stack, deployment, template)) as Record<string, unknown>);
      } catch (error) {
        return fail((error as Error).message);
      }
      record.properties = properties;
      const provider = this.host.provider(decl.type);
      const forced = this.forcedFailure(behaviour, failure, decl.logicalId);
      if (forced !== undefined || !provider) {
        if (!(await this.sleep(stepMs))) return false;
        return fail(forced ?? `Resource type ${decl.type} is not supported by the local CloudFormation`);
      }
      try {
        const provisioned = await this.track(provider.create(properties, this.providerContext(stack, decl.logicalId)));
        record.physicalId = provisioned.physicalId;
        record.attributes = provisioned.attributes;
      } catch (error) {
        if (!(await this.sleep(stepMs))) return false;
        return fail((error as Error).message);
      }
      this.resourceEvent(stack, record, inProgress, 'Resource creation Initiated', true);
      if (!(await this.sleep(stepMs))) return false;
      if (failure.any) {
        // Another resource failed meanwhile: CloudFormation cancels what is still in progress.
        this.resourceEvent(stack, record, failed, kind === 'CREATE' ? 'Resource creation cancelled' : 'Resource update cancelled');
        return false;
      }
      this.resourceEvent(stack, record, complete);
      return true;
    } finally {
      release();
    }
  }

  /** Deletes one resource per its policy; resolves true unless the deletion failed. */
  private async deleteResource(
    stack: StackRecord,
    record: ResourceRecord,
    retain: boolean,
    stepMs: number,
    forcedReason: string | undefined,
    failed: string[],
  ): Promise<boolean> {
    if (record.status === 'DELETE_COMPLETE' || record.status === 'DELETE_SKIPPED') return true;
    if (retain) {
      this.resourceEvent(stack, record, 'DELETE_SKIPPED');
      return true;
    }
    const release = await this.slots.acquire();
    try {
      this.resourceEvent(stack, record, 'DELETE_IN_PROGRESS');
      if (!(await this.sleep(stepMs))) return false;
      if (forcedReason !== undefined) {
        failed.push(record.logicalId);
        this.resourceEvent(stack, record, 'DELETE_FAILED', forcedReason);
        return false;
      }
      const provider = this.host.provider(record.type);
      if (record.physicalId !== undefined && provider) {
        try {
          await this.track(provider.delete(record.physicalId, record.properties, this.providerContext(stack, record.logicalId)));
        } catch (error) {
          failed.push(record.logicalId);
          this.resourceEvent(stack, record, 'DELETE_FAILED', (error as Error).message);
          return false;
        }
      }
      this.resourceEvent(stack, record, 'DELETE_COMPLETE');
      return true;
    } finally {
      release();
    }
  }

  /** Deletes `records` dependents first; returns the logical ids that failed. */
  private async deleteAll(
    stack: StackRecord,
    template: Template,
    records: ResourceRecord[],
    durationMs: number,
    retain: (record: ResourceRecord) => boolean,
    forceFailure: ((logicalId: string) => string | undefined) | undefined,
  ): Promise<string[]> {
    const ids = new Set(records.map((r) => r.logicalId));
    const dependents = reverseDeps(template.resources, ids);
    const failed: string[] = [];
    const steps: Step[] = records.map((record) => ({
      id: record.logicalId,
      deps: dependents.get(record.logicalId) ?? [],
      run: () => this.deleteResource(stack, record, retain(record), stepMs, forceFailure?.(record.logicalId), failed),
    }));
    const stepMs = durationMs / depthOf(steps);
    await runGraph(steps, () => this.stopped || failed.length > 0);
    return failed;
  }

  private rollbackFailureInjector(behaviour: ResolvedStackBehaviour): ((logicalId: string) => string | undefined) | undefined {
    if (!behaviour.failRollback) return undefined;
    let used = false;
    return (logicalId) => {
      if (used) return undefined;
      used = true;
      return `Resource handler returned message: "Injected rollback failure of ${logicalId} (local CloudFormation behaviour rule)" (RequestToken: ${randomUUID()}, HandlerErrorCode: InternalFailure)`;
    };
  }

  /** ROLLBACK_IN_PROGRESS → ROLLBACK_COMPLETE | ROLLBACK_FAILED: deletes what the failed create made. */
  private async runRollback(stack: StackRecord, behaviour: ResolvedStackBehaviour): Promise<void> {
    const template = this.host.template(stack.current.templateBody);
    const records = Object.values(stack.current.resources).filter((r) => r.status !== 'DELETE_COMPLETE' && r.status !== 'DELETE_SKIPPED');
    // Resources that never got a physical resource are done at once (CloudFormation reports them DELETE_COMPLETE).
    for (const r of records.filter((x) => x.physicalId === undefined)) this.resourceEvent(stack, r, 'DELETE_COMPLETE');
    const withPhysical = records.filter((r) => r.physicalId !== undefined);
    // Retain keeps the resource even when the create rolls back; RetainExceptOnCreate deletes it
    // (https://aws.amazon.com/about-aws/whats-new/2023/07/aws-cloudformation-deletion-policies-dev-test-cycle/).
    const failed = await this.deleteAll(
      stack,
      template,
      withPhysical,
      behaviour.rollbackDurationMs,
      (r) => r.deletionPolicy === 'Retain',
      this.rollbackFailureInjector(behaviour),
    );
    if (this.stopped) return;
    if (failed.length > 0) {
      this.setStatus(stack, 'ROLLBACK_FAILED', `The following resource(s) failed to delete: [${failed.join(', ')}]. `);
    } else {
      stack.current.outputs = [];
      // The stack keeps saying why it rolled back (the ROLLBACK_IN_PROGRESS reason); its event has none.
      const why = stack.statusReason;
      this.setStatus(stack, 'ROLLBACK_COMPLETE');
      stack.statusReason = why;
      this.host.persist(stack);
      // OnFailure=DELETE: the rolled-back stack is deleted too.
      if (stack.onFailure === 'DELETE') this.startDelete(stack, stack.operationToken, []);
    }
  }

  // ---- delete ----------------------------------------------------------------------------------

  /** Starts a delete; the caller has checked the status. `retainResources`: logical ids to keep (DELETE_FAILED retries). */
  startDelete(stack: StackRecord, token: string | undefined, retainResources: readonly string[]): void {
    stack.operationToken = token;
    stack.operationId = flatRandomUUID();
    stack.lastUpdatedTime = this.host.timeline.now();
    this.setStatus(stack, 'DELETE_IN_PROGRESS', 'User Initiated');
    const behaviour = this.host.behaviour.forOperation(stack.stackName, 'delete');
    this.launch(() => this.runDelete(stack, behaviour, new Set(retainResources)));
  }

  private async runDelete(stack: StackRecord, behaviour: ResolvedStackBehaviour, retainResources: ReadonlySet<string>): Promise<void> {
    const operationId = stack.operationId;
    // A delete requested while the create runs waits for the resource steps already in flight.
    while (Object.values(stack.current.resources).some((r) => r.status === 'CREATE_IN_PROGRESS' || r.status === 'UPDATE_IN_PROGRESS')) {
      if (!(await this.sleep(1))) return;
    }
    const template = this.host.template(stack.current.templateBody);
    const records = Object.values(stack.current.resources).filter((r) => r.status !== 'DELETE_COMPLETE' && r.status !== 'DELETE_SKIPPED');
    for (const r of records.filter((x) => x.physicalId === undefined)) this.resourceEvent(stack, r, 'DELETE_COMPLETE');
    const failure = new OperationFailure();
    const startedAt = this.host.timeline.now();
    const failed = await this.deleteAll(
      stack,
      template,
      records.filter((r) => r.physicalId !== undefined),
      behaviour.durationMs,
      (r) => r.deletionPolicy === 'Retain' || r.deletionPolicy === 'RetainExceptOnCreate' || retainResources.has(r.logicalId),
      (logicalId) => this.forcedFailure(behaviour, failure, logicalId),
    );
    if (this.stopped || stack.operationId !== operationId) return;
    if (failed.length === 0 && !(await this.padTo(startedAt, behaviour.durationMs))) return;
    if (failed.length > 0) {
      this.setStatus(stack, 'DELETE_FAILED', `The following resource(s) failed to delete: [${failed.join(', ')}]. `);
      return;
    }
    stack.deletionTime = this.host.timeline.now();
    this.setStatus(stack, 'DELETE_COMPLETE');
    this.host.stackDeleted(stack);
  }

  // ---- update ----------------------------------------------------------------------------------

  /** Starts an update to `next`; the stack's current deployment becomes `previous`. */
  startUpdate(stack: StackRecord, next: Deployment, token: string | undefined): void {
    stack.operationToken = token;
    stack.operationId = flatRandomUUID();
    stack.lastUpdatedTime = this.host.timeline.now();
    // The running deployment becomes `previous` as it is (nothing writes to it while the update runs; one
    // deep copy of it, template text included, was the largest cost of an UpdateStack in a large fleet).
    const previous = stack.current;
    stack.previous = previous;
    stack.replaced = [];
    stack.failedRollbackResources = undefined;
    // The new deployment starts from copies of the old resource records; steps overwrite what they change.
    // Shallow copies: a record's properties and attributes are replaced, never changed in place, so the
    // two deployments share them (100,000 tenant stacks updated keep one copy of what did not change).
    const resources: Record<string, ResourceRecord> = {};
    for (const [id, record] of Object.entries(previous.resources)) resources[id] = copyOfRecord(record);
    stack.current = { ...next, resources, outputs: previous.outputs };
    for (const r of Object.values(stack.current.resources)) r.createdByOperation = undefined;
    this.setStatus(stack, 'UPDATE_IN_PROGRESS', 'User Initiated');
    const behaviour = this.host.behaviour.forOperation(stack.stackName, 'update');
    this.launch(() => this.runUpdate(stack, behaviour));
  }

  /** CancelUpdateStack: the running update starts no more resources and rolls back. False when none runs. */
  cancelUpdate(stack: StackRecord): boolean {
    const failure = this.runningUpdates.get(stack.stackId);
    if (!failure) return false;
    // The reason CloudFormation gives a cancelled update's rollback is not recorded here; "User Initiated" is inferred.
    failure.stackReason ??= 'User Initiated';
    return true;
  }

  private async runUpdate(stack: StackRecord, behaviour: ResolvedStackBehaviour): Promise<void> {
    const failure = new OperationFailure();
    this.runningUpdates.set(stack.stackId, failure);
    try {
      await this.runUpdateSteps(stack, behaviour, failure);
    } finally {
      if (this.runningUpdates.get(stack.stackId) === failure) this.runningUpdates.delete(stack.stackId);
    }
  }

  private async runUpdateSteps(stack: StackRecord, behaviour: ResolvedStackBehaviour, failure: OperationFailure): Promise<void> {
    const template = this.host.template(stack.current.templateBody);
    const previousTemplate = this.host.template(stack.previous!.templateBody);
    const deployment = stack.current;
    let resources: ResourceDeclaration[] = [];
    let previousIds = new Set<string>();
    try {
      resources = this.activeResources(template, this.context(stack, deployment, template));
      previousIds = new Set(
        this.activeResources(previousTemplate, this.context(stack, stack.previous!, previousTemplate)).map((r) => r.logicalId),
      );
    } catch (error) {
      failure.stackReason = (error as Error).message;
    }
    // Recorded as they happen (and persisted), so a rollback after a restart still knows what to delete.
    const created = (stack.createdInUpdate = []) as string[];
    const steps: Step[] = resources.map((decl) => ({
      id: decl.logicalId,
      deps: decl.dependencies,
      run: async () => {
        const before = stack.previous!.resources[decl.logicalId];
        if (
          !previousIds.has(decl.logicalId) ||
          before === undefined ||
          before.status === 'DELETE_COMPLETE' ||
          before.physicalId === undefined
        ) {
          created.push(decl.logicalId);
          delete deployment.resources[decl.logicalId];
          return this.createResource(stack, deployment, template, decl, stepMs, behaviour, failure, 'CREATE');
        }
        return this.updateResource(stack, deployment, template, decl, before, stepMs, behaviour, failure);
      },
    }));
    const stepMs = behaviour.durationMs / depthOf(steps);
    const startedAt = this.host.timeline.now();
    await runGraph(steps, () => failure.any || this.stopped);
    if (!failure.any && !(await this.padTo(startedAt, behaviour.durationMs))) return;
    if (this.stopped) return;
    if (!failure.any) {
      try {
        deployment.outputs = this.evaluateOutputs(stack, deployment, template);
      } catch (error) {
        failure.stackReason = (error as Error).message;
      }
    }
    if (failure.any) {
      const createdFailed = failure.failed.filter((id) => created.includes(id));
      const reason =
        failure.stackReason ??
        (createdFailed.length === failure.failed.length
          ? `The following resource(s) failed to create: [${failure.failed.join(', ')}]. `
          : `The following resource(s) failed to update: [${failure.failed.join(', ')}]. `);
      this.runningUpdates.delete(stack.stackId);
      this.setStatus(stack, 'UPDATE_ROLLBACK_IN_PROGRESS', reason);
      await this.runUpdateRollback(stack, behaviour, new Set());
      return;
    }
    this.runningUpdates.delete(stack.stackId);
    this.setStatus(stack, 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS');
    await this.runUpdateCleanup(stack, behaviour);
  }

  private async updateResource(
    stack: StackRecord,
    deployment: Deployment,
    template: Template,
    decl: ResourceDeclaration,
    before: ResourceRecord,
    stepMs: number,
    behaviour: ResolvedStackBehaviour,
    failure: OperationFailure,
  ): Promise<boolean> {
    let properties: Record<string, unknown>;
    const record = deployment.resources[decl.logicalId];
    try {
      properties = this.shared(evaluate(decl.properties, this.context(stack, deployment, template)) as Record<string, unknown>);
    } catch (error) {
      failure.failed.push(decl.logicalId);
      this.resourceEvent(stack, record, 'UPDATE_FAILED', (error as Error).message);
      return false;
    }
    const policiesChanged = before.deletionPolicy !== decl.deletionPolicy || before.updateReplacePolicy !== decl.updateReplacePolicy;
    record.deletionPolicy = decl.deletionPolicy;
    record.updateReplacePolicy = decl.updateReplacePolicy;
    const forced = this.forcedFailure(behaviour, failure, decl.logicalId);
    if (JSON.stringify(properties) === JSON.stringify(before.properties) && forced === undefined) {
      if (policiesChanged) this.host.persist(stack);
      return true; // unchanged: no events
    }
    const provider = this.host.provider(decl.type);
    if (provider && provider.requiresReplacement(before.properties, properties) && forced === undefined) {
      const name = provider.nameProperty;
      if (
        name !== undefined &&
        properties[name] !== undefined &&
        JSON.stringify(properties[name]) === JSON.stringify(before.properties[name])
      ) {
        failure.failed.push(decl.logicalId);
        this.resourceEvent(
          stack,
          record,
          'UPDATE_FAILED',
          `CloudFormation cannot update a stack when a custom-named resource requires replacing. Rename ${String(properties[name])} and update the stack again.`,
        );
        return false;
      }
      stack.replaced.push(copyOfRecord(before));
      return this.createResource(stack, deployment, template, decl, stepMs, behaviour, failure, 'REPLACE');
    }
    const release = await this.slots.acquire();
    try {
      this.resourceEvent(stack, record, 'UPDATE_IN_PROGRESS');
      if (forced !== undefined || !provider) {
        if (!(await this.sleep(stepMs))) return false;
        failure.failed.push(decl.logicalId);
        this.resourceEvent(
          stack,
          record,
          'UPDATE_FAILED',
          forced ?? `Resource type ${decl.type} is not supported by the local CloudFormation`,
        );
        return false;
      }
      try {
        const provisioned = await this.track(
          provider.update(before.physicalId!, before.properties, properties, this.providerContext(stack, decl.logicalId)),
        );
        record.properties = properties;
        record.physicalId = provisioned.physicalId;
        record.attributes = provisioned.attributes;
        record.updatedInOperation = true;
        this.host.persist(stack); // the rollback after a restart must know this change was applied
      } catch (error) {
        if (!(await this.sleep(stepMs))) return false;
        failure.failed.push(decl.logicalId);
        this.resourceEvent(stack, record, 'UPDATE_FAILED', (error as Error).message);
        return false;
      }
      if (!(await this.sleep(stepMs))) return false;
      this.resourceEvent(stack, record, 'UPDATE_COMPLETE');
      return true;
    } finally {
      release();
    }
  }

  /** UPDATE_COMPLETE_CLEANUP_IN_PROGRESS → UPDATE_COMPLETE: old physical resources of replacements, and removed resources, go. */
  private async runUpdateCleanup(stack: StackRecord, behaviour: ResolvedStackBehaviour): Promise<void> {
    const template = this.host.template(stack.current.templateBody);
    const previousTemplate = this.host.template(stack.previous!.templateBody);
    const active = new Set(this.activeResources(template, this.context(stack, stack.current, template)).map((r) => r.logicalId));
    const removed = Object.values(stack.current.resources).filter(
      (r) => !active.has(r.logicalId) && r.status !== 'DELETE_COMPLETE' && r.status !== 'DELETE_SKIPPED',
    );
    const cleanupMs = Math.min(behaviour.durationMs, 1_000);
    // Replaced physical resources: deleted unless UpdateReplacePolicy Retain. A failed cleanup does not fail the update.
    await this.deleteAll(stack, previousTemplate, stack.replaced, cleanupMs, (r) => r.updateReplacePolicy === 'Retain', undefined);
    await this.deleteAll(
      stack,
      previousTemplate,
      removed,
      cleanupMs,
      (r) => r.deletionPolicy === 'Retain' || r.deletionPolicy === 'RetainExceptOnCreate',
      undefined,
    );
    if (this.stopped) return;
    for (const r of removed) delete stack.current.resources[r.logicalId];
    for (const r of Object.values(stack.current.resources)) r.updatedInOperation = undefined;
    stack.replaced = [];
    stack.previous = undefined;
    stack.createdInUpdate = undefined;
    this.setStatus(stack, 'UPDATE_COMPLETE');
  }

  /**
   * UPDATE_ROLLBACK_IN_PROGRESS: resources updated in place go back to their previous properties,
   * replaced ones back to their previous physical resource; then the cleanup deletes what the update
   * created. A failure here leaves UPDATE_ROLLBACK_FAILED (ContinueUpdateRollback resumes).
   */
  private async runUpdateRollback(stack: StackRecord, behaviour: ResolvedStackBehaviour, skip: ReadonlySet<string>): Promise<void> {
    const previous = stack.previous!;
    const template = this.host.template(previous.templateBody);
    const created = new Set(stack.createdInUpdate ?? []);
    const replacedIds = new Set(stack.replaced.map((r) => r.logicalId));
    const toRevert = Object.values(stack.current.resources).filter(
      (r) =>
        !created.has(r.logicalId) &&
        previous.resources[r.logicalId] !== undefined &&
        (r.updatedInOperation || replacedIds.has(r.logicalId) || r.status === 'UPDATE_FAILED'),
    );
    const inject = this.rollbackFailureInjector(behaviour);
    const failed: string[] = [];
    const ids = new Set(toRevert.map((r) => r.logicalId));
    const steps: Step[] = toRevert.map((record) => ({
      id: record.logicalId,
      deps: (template.resources.find((d) => d.logicalId === record.logicalId)?.dependencies ?? []).filter((d) => ids.has(d)),
      run: async () => {
        const release = await this.slots.acquire();
        try {
          const old = previous.resources[record.logicalId];
          const restored: ResourceRecord = copyOfRecord(old);
          if (replacedIds.has(record.logicalId) && record.physicalId !== undefined && record.physicalId !== old.physicalId) {
            (stack.replacements ??= []).push(record);
          }
          this.resourceEvent(stack, restored, 'UPDATE_IN_PROGRESS');
          stack.current.resources[record.logicalId] = restored;
          if (!(await this.sleep(stepMs))) return false;
          const forced = skip.has(record.logicalId) ? undefined : inject?.(record.logicalId);
          if (forced !== undefined) {
            failed.push(record.logicalId);
            this.resourceEvent(stack, restored, 'UPDATE_FAILED', forced);
            stack.current.resources[record.logicalId] = record;
            return false;
          }
          const provider = this.host.provider(record.type);
          if (record.updatedInOperation && !replacedIds.has(record.logicalId) && provider && !skip.has(record.logicalId)) {
            try {
              const provisioned = await this.track(
                provider.update(old.physicalId!, record.properties, old.properties, this.providerContext(stack, record.logicalId)),
              );
              restored.attributes = provisioned.attributes;
            } catch (error) {
              failed.push(record.logicalId);
              this.resourceEvent(stack, restored, 'UPDATE_FAILED', (error as Error).message);
              stack.current.resources[record.logicalId] = record;
              return false;
            }
          }
          this.resourceEvent(stack, restored, 'UPDATE_COMPLETE');
          return true;
        } finally {
          release();
        }
      },
    }));
    const stepMs = behaviour.rollbackDurationMs / depthOf(steps);
    await runGraph(steps, () => this.stopped || failed.length > 0);
    if (this.stopped) return;
    if (failed.length > 0) {
      stack.failedRollbackResources = failed;
      this.setStatus(stack, 'UPDATE_ROLLBACK_FAILED', `The following resource(s) failed to update: [${failed.join(', ')}]. `);
      return;
    }
    this.setStatus(stack, 'UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS');
    await this.runUpdateRollbackCleanup(stack, behaviour);
  }

  private async runUpdateRollbackCleanup(stack: StackRecord, behaviour: ResolvedStackBehaviour): Promise<void> {
    const template = this.host.template(stack.current.templateBody);
    const created = new Set(stack.createdInUpdate ?? []);
    const cleanupMs = Math.min(behaviour.rollbackDurationMs, 1_000);
    // What the update created goes (RetainExceptOnCreate included); Retain keeps it.
    const newOnes = Object.values(stack.current.resources).filter((r) => created.has(r.logicalId));
    // The new physical resources of replacements: recorded in the events' deployment before the switch back.
    const replacements = stack.replacements ?? [];
    await this.deleteAll(stack, template, replacements, cleanupMs, () => false, undefined);
    await this.deleteAll(stack, template, newOnes, cleanupMs, (r) => r.deletionPolicy === 'Retain', undefined);
    if (this.stopped) return;
    const previous = stack.previous!;
    // Back on the previous deployment, with the reverted resources' records (their UPDATE_COMPLETE of the rollback).
    const afterRollback = stack.current.resources;
    for (const [id, record] of Object.entries(previous.resources)) {
      const reverted = afterRollback[id];
      if (reverted !== undefined && reverted.physicalId === record.physicalId) previous.resources[id] = reverted;
    }
    stack.current = previous;
    for (const r of Object.values(stack.current.resources)) r.updatedInOperation = undefined;
    stack.previous = undefined;
    stack.replaced = [];
    stack.replacements = undefined;
    stack.createdInUpdate = undefined;
    this.setStatus(stack, 'UPDATE_ROLLBACK_COMPLETE');
  }

  /** ContinueUpdateRollback: UPDATE_ROLLBACK_FAILED → UPDATE_ROLLBACK_IN_PROGRESS → ... */
  startContinueUpdateRollback(stack: StackRecord, token: string | undefined, resourcesToSkip: readonly string[]): void {
    stack.operationToken = token;
    stack.operationId = flatRandomUUID();
    this.setStatus(stack, 'UPDATE_ROLLBACK_IN_PROGRESS');
    const behaviour = this.host.behaviour.forOperation(stack.stackName, 'continue-update-rollback');
    this.launch(() => this.runUpdateRollback(stack, behaviour, new Set(resourcesToSkip)));
  }

  /** Deletes the stack while its create runs: the create stops starting resources; the delete follows. */
  takeOverCreate(stack: StackRecord, token: string | undefined): void {
    this.startDelete(stack, token, []);
  }

  /** After a restart: an operation that was in progress goes on from a safe point. */
  resume(stack: StackRecord, kind: StackOperationKind): void {
    const behaviour = this.host.behaviour.forOperation(stack.stackName, kind);
    const interrupted = 'The local CloudFormation restarted while the stack operation ran';
    switch (stack.status) {
      case 'CREATE_IN_PROGRESS':
      case 'ROLLBACK_IN_PROGRESS':
        if (stack.status === 'CREATE_IN_PROGRESS') this.setStatus(stack, 'ROLLBACK_IN_PROGRESS', interrupted);
        this.launch(() => this.runRollback(stack, behaviour));
        return;
      case 'DELETE_IN_PROGRESS':
        this.launch(() => this.runDelete(stack, behaviour, new Set()));
        return;
      case 'UPDATE_IN_PROGRESS':
        this.setStatus(stack, 'UPDATE_ROLLBACK_IN_PROGRESS', interrupted);
        this.launch(() => this.runUpdateRollback(stack, behaviour, new Set()));
        return;
      case 'UPDATE_ROLLBACK_IN_PROGRESS':
        this.launch(() => this.runUpdateRollback(stack, behaviour, new Set()));
        return;
      case 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS':
        this.launch(() => this.runUpdateCleanup(stack, behaviour));
        return;
      case 'UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS':
        this.launch(() => this.runUpdateRollbackCleanup(stack, behaviour));
        return;
      default:
        return;
    }
  }
}
