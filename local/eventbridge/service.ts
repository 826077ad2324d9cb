/**
 * The local EventBridge: event buses, rules with event patterns, targets, PutEvents, on the AWS JSON 1.1
 * wire protocol (`X-Amz-Target: AWSEvents.<Operation>`), so `@aws-sdk/client-eventbridge` and
 * `aws events --endpoint-url` work against it. AWS service events (S3, CloudFormation) arrive through
 * `publishServiceEvent` and are delivered on the default bus like any other event.
 *
 * API reference: https://docs.aws.amazon.com/eventbridge/latest/APIReference/ (PutEvents, PutRule,
 * PutTargets, ...). The envelope delivered to targets:
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-events-structure.html.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync, existsSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import type { Timeline } from '../../emulator/runtime/timeline';
import type { ServiceEvent, ServiceEventSink } from '../service-events';
import { AwsError, FaultPlan, jsonProtocolHandler, listenLoopback, type FaultRule, type LoopbackServer } from '../http';
import type { InProcessNetwork } from '../in-process';
import {
  Deliverer,
  type BackoffOptions,
  type DeliveryShaping,
  type DeliveryRecord,
  type EventEnvelope,
  type RetryPolicy,
  type TargetHandler,
  keepNewest,
} from './delivery';
import { EventPattern, EventPatternError } from './pattern';
import { renderTargetInput, validateTargetInput, type InputTransformerConfig } from './target-input';

export interface LocalEventBridgeOptions {
  readonly timeline: Timeline;
  readonly region?: string;
  readonly accountId?: string;
  /** Where the SDK-backed targets are: `sfn` (state machines), `sqs` (queues, dead-letter queues). */
  readonly endpoints?: { readonly sfn?: string; readonly sqs?: string };
  /** Keeps buses, rules and targets across restarts (events in flight are not kept). */
  readonly dataDir?: string;
  /**
   * Keep about this many newest entries in each in-process record (acceptedEvents, rejectedEntries,
   * eventsToMissingBuses, deliveries); unlimited by default. A simulated fleet of 100,000 tenants puts
   * millions of events through the bus.
   */
  readonly recordLimit?: number;
  readonly backoff?: BackoffOptions;
  readonly random?: () => number;
  /** Also answer in-process clients of the endpoint, and call targets in process when their service is on it (local/in-process.ts). */
  readonly network?: InProcessNetwork;
}

export interface Target {
  readonly Id: string;
  readonly Arn: string;
  readonly RoleArn?: string;
  readonly Input?: string;
  readonly InputPath?: string;
  readonly InputTransformer?: InputTransformerConfig;
  readonly RetryPolicy?: RetryPolicy;
  readonly DeadLetterConfig?: { readonly Arn?: string };
}

interface Rule {
  readonly Name: string;
  readonly Arn: string;
  readonly EventBusName: string;
  EventPattern?: string;
  ScheduleExpression?: string;
  State: string;
  Description?: string;
  RoleArn?: string;
  pattern?: EventPattern;
  readonly targets: Map<string, Target>;
}

interface Bus {
  readonly Name: string;
  readonly Arn: string;
  Description?: string;
  readonly CreationTime: number;
  readonly rules: Map<string, Rule>;
}

/** An event the bus accepted (from PutEvents or a service), with the rules it matched. */
export interface AcceptedEvent {
  readonly busName: string;
  readonly event: EventEnvelope;
  readonly via: 'PutEvents' | 'service';
  readonly matchedRules: readonly string[];
  readonly time: number;
}

/** A PutEvents entry answered with an error. */
export interface RejectedEntry {
  readonly entry: Record<string, unknown>;
  readonly errorCode: string;
  readonly errorMessage: string;
  readonly time: number;
}

export interface PutEventsEntryFault {
  /** `ThrottlingException` or `InternalFailure` (as AWS answers per entry). */
  readonly code: string;
  readonly message?: string;
  /** Default 1. */
  readonly times?: number;
  /** Only entries from this Source / with this DetailType / to this bus (name). */
  readonly source?: string;
  readonly detailType?: string;
  readonly eventBusName?: string;
}

const NAME = /^[.\-_A-Za-z0-9]+$/;
const BUS_NAME = /^[/.\-_A-Za-z0-9]+$/;
const MAX_ENTRIES = 10;
const MAX_REQUEST_BYTES = 256 * 1024;
const MAX_TARGETS_PER_RULE = 5;
const RULE_STATES = new Set(['ENABLED', 'DISABLED', 'ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS']);

export class LocalEventBridge implements ServiceEventSink {
  readonly region: string;
  readonly accountId: string;
  readonly timeline: Timeline;
  /** Whole-operation faults (`PutEvents`, `PutRule`, ...; resource = bus name). */
  readonly faults = new FaultPlan();
  readonly acceptedEvents: AcceptedEvent[] = [];
  readonly rejectedEntries: RejectedEntry[] = [];
  /** Events PutEvents accepted for buses that do not exist (AWS answers them with an EventId and drops them). */
  readonly eventsToMissingBuses: { readonly busName: string; readonly event: EventEnvelope; readonly time: number }[] = [];
  private readonly buses = new Map<string, Bus>();
  private readonly deliverer: Deliverer;
  private readonly entryFaults: { fault: PutEventsEntryFault; left: number }[] = [];
  private readonly dataDir?: string;
  private server?: LoopbackServer;
  private recordLimit?: number;
  private readonly callListeners: ((operation: string) => void)[] = [];
  private readonly network?: InProcessNetwork;

  constructor(options: LocalEventBridgeOptions) {
    this.timeline = options.timeline;
    this.region = options.region ?? 'us-east-1';
    this.accountId = options.accountId ?? '123456789012';
    this.dataDir = options.dataDir;
    this.deliverer = new Deliverer({
      timeline: options.timeline,
      region: this.region,
      endpoints: options.endpoints ?? {},
      backoff: options.backoff,
      random: options.random,
      network: options.network,
    });
    this.network = options.network;
    if (!this.load()) this.createBus('default');
    this.setRecordLimit(options.recordLimit);
  }

  /** Bounds the in-process records (see LocalEventBridgeOptions.recordLimit); undefined: unlimited. */
  setRecordLimit(limit: number | undefined): void {
    if (limit !== undefined && !(Number.isInteger(limit) && limit >= 1))
      throw new RangeError(`recordLimit must be a whole number >= 1, got ${limit}`);
    this.recordLimit = limit;
    this.deliverer.logLimit = limit;
  }

  /** Calls `listener` with the operation name of every API call this service answers (counting, for the bench). */
  addCallListener(listener: (operation: string) => void): void {
    this.callListeners.push(listener);
  }

  private trimRecords(list: unknown[]): void {
    if (this.recordLimit !== undefined) keepNewest(list, this.recordLimit);
  }

  // ------------------------------------------------------------ lifecycle

  async listen(port = 0, host = '127.0.0.1'): Promise<string> {
    if (this.server) throw new Error('LocalEventBridge is already listening');
    this.server = await listenLoopback(
      jsonProtocolHandler({
        targetPrefix: 'AWSEvents.',
        contentType: 'application/x-amz-json-1.1',
        maxBodyBytes: 2 * MAX_REQUEST_BYTES,
        operations: this.countedOperations(),
        faults: this.faults,
        // The bus a call is about; for PutEvents, the first entry's bus.
        resourceOf: (op, input) =>
          op === 'PutEvents'
            ? (busNameOf((input.Entries as Record<string, unknown>[] | undefined)?.[0]?.EventBusName) ?? 'default')
            : busNameOf(input.EventBusName ?? input.Name),
      }),
      port,
      host,
      this.network,
    );
    return this.server.url;
  }

  get endpoint(): string | undefined {
    return this.server?.url;
  }

  async close(): Promise<void> {
    await this.server?.close();
    this.server = undefined;
    this.deliverer.close();
  }

  // ------------------------------------------------------------ in-process API (tests, demo, composition)

  /** Sets where SDK-backed targets are (the composing code knows them only after every service listens). */
  setEndpoints(endpoints: { sfn?: string; sqs?: string }): void {
    this.deliverer.setEndpoints(endpoints);
  }

  /** Registers an in-process target for ARNs starting with `matcher` (or matching the predicate). */
  addTargetHandler(matcher: string | ((arn: string) => boolean), handler: TargetHandler): void {
    this.deliverer.addHandler(matcher, handler);
  }

  /** Every delivery attempt and how each delivery ended, oldest first. */
  get deliveries(): readonly DeliveryRecord[] {
    return this.deliverer.log;
  }

  /** Resolves when every delivery started so far has ended (delivered, dead-lettered or dropped). */
  settled(): Promise<void> {
    return this.deliverer.settled();
  }

  /** Deliveries still running (attempting or waiting to retry). */
  get pendingDeliveries(): number {
    return this.deliverer.pending;
  }

  /** Whole-operation fault: the operation answers with `code` (ThrottlingException → HTTP 400). */
  injectFault(rule: FaultRule): void {
    this.faults.add(rule);
  }

  /** The next matching PutEvents entries fail with `code` (per entry, FailedEntryCount > 0). */
  injectPutEventsEntryFailure(fault: PutEventsEntryFault): void {
    if (!fault.code) throw new Error('PutEventsEntryFault.code is required (ThrottlingException or InternalFailure)');
    this.entryFaults.push({ fault, left: fault.times ?? 1 });
  }

  /** The next deliveries to `targetArn` (`*` for any) fail with `code`; retriable unless the code says otherwise. */
  injectTargetFailure(rule: { targetArn: string; code: string; message?: string; times?: number }): void {
    this.deliverer.targetFaults.add({ operation: rule.targetArn, code: rule.code, message: rule.message, times: rule.times });
  }

  /** The next matching deliveries are late (`delayMs` on the timeline) or repeated (`duplicate`). */
  shapeDeliveries(rule: DeliveryShaping): void {
    this.deliverer.addShaping(rule);
  }

  clearFaults(): void {
    this.faults.clear();
    this.entryFaults.length = 0;
    this.deliverer.targetFaults.clear();
    this.deliverer.clearShaping();
  }

  /** ServiceEventSink: AWS service events go to the default bus. */
  publishServiceEvent(event: ServiceEvent): void {
    const envelope: EventEnvelope = {
      version: '0',
      id: randomUUID(),
      'detail-type': event.detailType,
      source: event.source,
      account: event.account,
      time: isoSeconds(event.time ?? this.timeline.now()),
      region: event.region,
      resources: [...event.resources],
      detail: event.detail,
    };
    this.accept(this.buses.get('default')!, envelope, 'service');
  }

  // ------------------------------------------------------------ operations

  private countedOperations(): Record<string, (input: Record<string, unknown>) => unknown> {
    const counted: Record<string, (input: Record<string, unknown>) => unknown> = {};
    for (const [name, operation] of Object.entries(this.operations())) {
      counted[name] = (input) => {
        for (const listener of this.callListeners) listener(name);
        return operation(input);
      };
    }
    return counted;
  }

  private operations(): Record<string, (input: Record<string, unknown>) => unknown> {
    return {
      CreateEventBus: (i) => this.createEventBus(i),
      DeleteEventBus: (i) => this.deleteEventBus(i),
      DescribeEventBus: (i) => this.describeEventBus(i),
      ListEventBuses: (i) => this.listEventBuses(i),
      PutRule: (i) => this.putRule(i),
      DescribeRule: (i) => this.describeRule(i),
      ListRules: (i) => this.listRules(i),
      DeleteRule: (i) => this.deleteRule(i),
      EnableRule: (i) => this.setRuleState(i, 'ENABLED'),
      DisableRule: (i) => this.setRuleState(i, 'DISABLED'),
      PutTargets: (i) => this.putTargets(i),
      ListTargetsByRule: (i) => this.listTargetsByRule(i),
      RemoveTargets: (i) => this.removeTargets(i),
      PutEvents: (i) => this.putEvents(i),
      TestEventPattern: (i) => this.testEventPattern(i),
      TagResource: (i) => this.tagResource(i),
      UntagResource: (i) => this.untagResource(i),
      ListTagsForResource: (i) => ({
        Tags: [...(this.tags.get(this.taggable(i)) ?? new Map()).entries()].map(([Key, Value]) => ({ Key, Value })),
      }),
    };
  }

  /** Tags on buses and rules (kept, not used for anything else). */
  private readonly tags = new Map<string, Map<string, string>>();

  private taggable(i: Record<string, unknown>): string {
    const arn = requireString(i, 'ResourceARN');
    const known = [...this.buses.values()].some((b) => b.Arn === arn || [...b.rules.values()].some((r) => r.Arn === arn));
    if (!known) throw new AwsError('ResourceNotFoundException', `Resource ${arn} does not exist.`);
    return arn;
  }

  private tagResource(i: Record<string, unknown>): object {
    this.applyTags(this.taggable(i), i.Tags);
    return {};
  }

  private untagResource(i: Record<string, unknown>): object {
    const arn = this.taggable(i);
    for (const key of (i.TagKeys as string[] | undefined) ?? []) this.tags.get(arn)?.delete(key);
    return {};
  }

  private applyTags(arn: string, tags: unknown): void {
    if (tags === undefined) return;
    if (!Array.isArray(tags) || !tags.every((t) => t && typeof t.Key === 'string' && typeof t.Value === 'string')) {
      throw validation('Tags must be a list of {Key, Value} strings.');
    }
    const map = this.tags.get(arn) ?? new Map<string, string>();
    for (const t of tags as { Key: string; Value: string }[]) map.set(t.Key, t.Value);
    this.tags.set(arn, map);
  }

  private createEventBus(i: Record<string, unknown>): object {
    const name = requireString(i, 'Name');
    if (!BUS_NAME.test(name) || name.length > 256)
      throw validation(
        `Value '${name}' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: [/\\.\\-_A-Za-z0-9]+`,
      );
    if (name === 'default' || this.buses.has(name))
      throw new AwsError('ResourceAlreadyExistsException', `Event bus ${name} already exists.`);
    const bus = this.createBus(name, optionalString(i, 'Description'));
    this.applyTags(bus.Arn, i.Tags);
    this.save();
    return { EventBusArn: bus.Arn };
  }

  private deleteEventBus(i: Record<string, unknown>): object {
    const name = requireString(i, 'Name');
    if (name === 'default') throw validation('Cannot delete event bus default.');
    const bus = this.buses.get(name);
    if (!bus) return {};
    if (bus.rules.size > 0) throw validation(`Cannot delete event bus ${name} while it has rules: delete its rules first.`);
    this.buses.delete(name);
    this.save();
    return {};
  }

  private describeEventBus(i: Record<string, unknown>): object {
    const bus = this.bus(optionalString(i, 'Name'));
    return {
      Name: bus.Name,
      Arn: bus.Arn,
      Description: bus.Description,
      CreationTime: bus.CreationTime / 1000,
      LastModifiedTime: bus.CreationTime / 1000,
    };
  }

  private listEventBuses(i: Record<string, unknown>): object {
    const prefix = optionalString(i, 'NamePrefix') ?? '';
    const all = [...this.buses.values()].filter((b) => b.Name.startsWith(prefix)).sort((a, b) => a.Name.localeCompare(b.Name));
    const { page, next } = paginate(all, i);
    return { EventBuses: page.map((b) => ({ Name: b.Name, Arn: b.Arn, Description: b.Description })), NextToken: next };
  }

  private putRule(i: Record<string, unknown>): object {
    const name = requireString(i, 'Name');
    if (!NAME.test(name) || name.length > 64)
      throw validation(
        `Value '${name}' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\.\\-_A-Za-z0-9]+`,
      );
    const bus = this.bus(optionalString(i, 'EventBusName'));
    const patternText = optionalString(i, 'EventPattern');
    const schedule = optionalString(i, 'ScheduleExpression');
    if (patternText === undefined && schedule === undefined)
      throw validation('Parameter(s) EventPattern or ScheduleExpression must be specified.');
    if (schedule !== undefined && bus.Name !== 'default')
      throw validation('ScheduleExpression is supported only on the default event bus.');
    const state = optionalString(i, 'State') ?? 'ENABLED';
    if (!RULE_STATES.has(state))
      throw validation(
        `Value '${state}' at 'state' failed to satisfy constraint: Member must satisfy enum value set: [${[...RULE_STATES].join(', ')}]`,
      );
    const pattern = patternText === undefined ? undefined : parsePattern(patternText);
    const existing = bus.rules.get(name);
    const rule: Rule = existing ?? {
      Name: name,
      Arn: this.ruleArn(bus.Name, name),
      EventBusName: bus.Name,
      State: state,
      targets: new Map(),
    };
    rule.EventPattern = patternText;
    rule.pattern = pattern;
    rule.ScheduleExpression = schedule;
    rule.State = state;
    rule.Description = optionalString(i, 'Description');
    rule.RoleArn = optionalString(i, 'RoleArn');
    bus.rules.set(name, rule);
    this.applyTags(rule.Arn, i.Tags);
    this.save();
    return { RuleArn: rule.Arn };
  }

  private describeRule(i: Record<string, unknown>): object {
    const rule = this.rule(i, 'Name');
    return { ...describe(rule), CreatedBy: this.accountId };
  }

  private listRules(i: Record<string, unknown>): object {
    const bus = this.bus(optionalString(i, 'EventBusName'));
    const prefix = optionalString(i, 'NamePrefix') ?? '';
    const all = [...bus.rules.values()].filter((r) => r.Name.startsWith(prefix)).sort((a, b) => a.Name.localeCompare(b.Name));
    const { page, next } = paginate(all, i);
    return { Rules: page.map(describe), NextToken: next };
  }

  private deleteRule(i: Record<string, unknown>): object {
    const bus = this.bus(optionalString(i, 'EventBusName'));
    const rule = bus.rules.get(requireString(i, 'Name'));
    if (!rule) return {};
    if (rule.targets.size > 0) throw validation("Rule can't be deleted since it has targets.");
    bus.rules.delete(rule.Name);
    this.save();
    return {};
  }

  private setRuleState(i: Record<string, unknown>, state: 'ENABLED' | 'DISABLED'): object {
    this.rule(i, 'Name').State = state;
    this.save();
    return {};
  }

  private putTargets(i: Record<string, unknown>): object {
    const rule = this.rule(i, 'Rule');
    const targets = i.Targets;
    if (!Array.isArray(targets) || targets.length === 0 || targets.length > 10) {
      throw validation("Value at 'targets' failed to satisfy constraint: Member must have length between 1 and 10");
    }
    const failed: { TargetId: string; ErrorCode: string; ErrorMessage: string }[] = [];
    for (const raw of targets as Record<string, unknown>[]) {
      const target = validateTarget(raw);
      if (!rule.targets.has(target.Id) && rule.targets.size >= MAX_TARGETS_PER_RULE) {
        throw new AwsError(
          'LimitExceededException',
          `The requested resource exceeds the maximum number allowed: ${MAX_TARGETS_PER_RULE} targets per rule.`,
        );
      }
      rule.targets.set(target.Id, target);
    }
    this.save();
    return { FailedEntryCount: failed.length, FailedEntries: failed };
  }

  private listTargetsByRule(i: Record<string, unknown>): object {
    const rule = this.rule(i, 'Rule');
    const { page, next } = paginate([...rule.targets.values()], i);
    return { Targets: page, NextToken: next };
  }

  private removeTargets(i: Record<string, unknown>): object {
    const rule = this.rule(i, 'Rule');
    const ids = i.Ids;
    if (!Array.isArray(ids) || ids.length === 0)
      throw validation("Value at 'ids' failed to satisfy constraint: Member must have length between 1 and 100");
    const failed: { TargetId: string; ErrorCode: string; ErrorMessage: string }[] = [];
    for (const id of ids as string[]) {
      if (!rule.targets.delete(id))
        failed.push({
          TargetId: id,
          ErrorCode: 'ResourceNotFoundException',
          ErrorMessage: `Target ${id} does not exist on rule ${rule.Name}.`,
        });
    }
    this.save();
    return { FailedEntryCount: failed.length, FailedEntries: failed };
  }

  private testEventPattern(i: Record<string, unknown>): object {
    const pattern = parsePattern(requireString(i, 'EventPattern'));
    const eventText = requireString(i, 'Event');
    let event: unknown;
    try {
      event = JSON.parse(eventText);
    } catch {
      throw validation('Parameter Event is not valid: not JSON.');
    }
    if (event === null || typeof event !== 'object' || Array.isArray(event))
      throw validation('Parameter Event is not valid: not a JSON object.');
    for (const field of ['id', 'account', 'source', 'time', 'region', 'detail-type']) {
      if (!(field in event)) throw validation(`Parameter Event is not valid: the event has no "${field}" field.`);
    }
    return { Result: pattern.matches(event) };
  }

  /** PutEvents: https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutEvents.html */
  private putEvents(i: Record<string, unknown>): object {
    const entries = i.Entries;
    if (!Array.isArray(entries) || entries.length === 0 || entries.length > MAX_ENTRIES) {
      throw validation(
        `1 validation error detected: Value at 'entries' failed to satisfy constraint: Member must have length ${Array.isArray(entries) && entries.length > MAX_ENTRIES ? 'less than or equal to 10' : 'greater than or equal to 1'}`,
      );
    }
    // Entry size as AWS computes it: https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-putevent-size.html
    const total = (entries as Record<string, unknown>[]).reduce((sum, e) => sum + entrySize(e), 0);
    if (total > MAX_REQUEST_BYTES) throw validation('Total size of the entries in the request is over the limit.');
    const results = (entries as Record<string, unknown>[]).map((entry) => this.putEntry(entry));
    return { FailedEntryCount: results.filter((r) => 'ErrorCode' in r).length, Entries: results };
  }

  private putEntry(entry: Record<string, unknown>): { EventId: string } | { ErrorCode: string; ErrorMessage: string } {
    const reject = (code: string, message: string) => {
      this.rejectedEntries.push({ entry, errorCode: code, errorMessage: message, time: this.timeline.now() });
      this.trimRecords(this.rejectedEntries);
      return { ErrorCode: code, ErrorMessage: message };
    };
    const source = entry.Source;
    const detailType = entry.DetailType;
    const detailText = entry.Detail;
    if (typeof source !== 'string' || source === '')
      return reject('InvalidArgument', 'Parameter Source is not valid. Reason: Source is a required argument.');
    if (typeof detailType !== 'string' || detailType === '')
      return reject('InvalidArgument', 'Parameter DetailType is not valid. Reason: DetailType is a required argument.');
    if (typeof detailText !== 'string' || detailText === '')
      return reject('InvalidArgument', 'Parameter Detail is not valid. Reason: Detail is a required argument.');
    let detail: unknown;
    try {
      detail = JSON.parse(detailText);
    } catch {
      detail = undefined;
    }
    if (detail === null || typeof detail !== 'object' || Array.isArray(detail)) return reject('MalformedDetail', 'Detail is malformed.');
    if (source.startsWith('aws.')) return reject('NotAuthorizedForSourceException', 'Not authorized for the source.');
    const resources = entry.Resources ?? [];
    if (!Array.isArray(resources) || !resources.every((r) => typeof r === 'string'))
      return reject('InvalidArgument', 'Parameter Resources is not valid. Reason: Resources must be a list of ARN strings.');
    const busName = busNameOf(entry.EventBusName) ?? 'default';
    const bus = this.buses.get(busName);
    const fault = this.takeEntryFault(source, detailType, busName);
    if (fault)
      return reject(fault.code, fault.message ?? (fault.code === 'ThrottlingException' ? 'Request is throttled.' : 'Internal failure.'));
    const time =
      typeof entry.Time === 'number' ? entry.Time * 1000 : typeof entry.Time === 'string' ? Date.parse(entry.Time) : this.timeline.now();
    const envelope: EventEnvelope = {
      version: '0',
      id: randomUUID(),
      'detail-type': detailType,
      source,
      account: this.accountId,
      time: isoSeconds(Number.isFinite(time) ? time : this.timeline.now()),
      region: this.region,
      resources: resources as string[],
      detail: detail as Record<string, unknown>,
    };
    if (bus) this.accept(bus, envelope, 'PutEvents');
    // AWS answers an entry for a bus that does not exist with an EventId and drops the event
    // (https://github.com/aws/aws-sdk/issues/186, https://github.com/aws/aws-cli/issues/9186): so do we,
    // and the drop is logged here, the only place it shows.
    else {
      this.eventsToMissingBuses.push({ busName, event: envelope, time: this.timeline.now() });
      this.trimRecords(this.eventsToMissingBuses);
    }
    return { EventId: envelope.id };
  }

  private takeEntryFault(source: string, detailType: string, busName: string): PutEventsEntryFault | undefined {
    const idx = this.entryFaults.findIndex(
      ({ fault }) =>
        (fault.source === undefined || fault.source === source) &&
        (fault.detailType === undefined || fault.detailType === detailType) &&
        (fault.eventBusName === undefined || fault.eventBusName === busName),
    );
    if (idx < 0) return undefined;
    const slot = this.entryFaults[idx];
    if (--slot.left <= 0) this.entryFaults.splice(idx, 1);
    return slot.fault;
  }

  // ------------------------------------------------------------ matching and delivery

  private accept(bus: Bus, event: EventEnvelope, via: AcceptedEvent['via']): void {
    const matched: string[] = [];
    const ingestionTime = isoSeconds(this.timeline.now());
    for (const rule of bus.rules.values()) {
      if (rule.State === 'DISABLED' || !rule.pattern || !rule.pattern.matches(event)) continue;
      matched.push(rule.Name);
      for (const target of rule.targets.values()) {
        const input = renderTargetInput(target, event as unknown as Record<string, unknown>, {
          ruleArn: rule.Arn,
          ruleName: rule.Name,
          ingestionTime,
        });
        this.deliverer.start(
          {
            busName: bus.Name,
            ruleName: rule.Name,
            ruleArn: rule.Arn,
            targetId: target.Id,
            targetArn: target.Arn,
            roleArn: target.RoleArn,
            input,
            retryPolicy: target.RetryPolicy,
            deadLetterArn: target.DeadLetterConfig?.Arn,
          },
          event,
        );
      }
    }
    this.acceptedEvents.push({ busName: bus.Name, event, via, matchedRules: matched, time: this.timeline.now() });
    this.trimRecords(this.acceptedEvents);
  }

  // ------------------------------------------------------------ state

  private createBus(name: string, description?: string): Bus {
    const bus: Bus = {
      Name: name,
      Arn: `arn:aws:events:${this.region}:${this.accountId}:event-bus/${name}`,
      Description: description,
      CreationTime: this.timeline.now(),
      rules: new Map(),
    };
    this.buses.set(name, bus);
    return bus;
  }

  private bus(nameOrArn: string | undefined): Bus {
    const name = busNameOf(nameOrArn) ?? 'default';
    const bus = this.buses.get(name);
    if (!bus) throw new AwsError('ResourceNotFoundException', `Event bus ${name} does not exist.`);
    return bus;
  }

  private rule(i: Record<string, unknown>, field: 'Name' | 'Rule'): Rule {
    const bus = this.bus(optionalString(i, 'EventBusName'));
    const name = requireString(i, field);
    const rule = bus.rules.get(name);
    if (!rule) throw new AwsError('ResourceNotFoundException', `Rule ${name} does not exist on EventBus ${bus.Name}.`);
    return rule;
  }

  private ruleArn(busName: string, ruleName: string): string {
    const prefix = `arn:aws:events:${this.region}:${this.accountId}:rule/`;
    return busName === 'default' ? `${prefix}${ruleName}` : `${prefix}${busName}/${ruleName}`;
  }

  private save(): void {
    if (!this.dataDir) return;
    mkdirSync(this.dataDir, { recursive: true });
    const state = [...this.buses.values()].map((b) => ({
      Name: b.Name,
      Description: b.Description,
      CreationTime: b.CreationTime,
      rules: [...b.rules.values()].map((r) => ({
        Name: r.Name,
        EventPattern: r.EventPattern,
        ScheduleExpression: r.ScheduleExpression,
        State: r.State,
        Description: r.Description,
        RoleArn: r.RoleArn,
        targets: [...r.targets.values()],
      })),
    }));
    const file = join(this.dataDir, 'eventbridge.json');
    writeFileSync(`${file}.tmp`, JSON.stringify({ buses: state }, null, 1));
    renameSync(`${file}.tmp`, file);
  }

  private load(): boolean {
    if (!this.dataDir) return false;
    const file = join(this.dataDir, 'eventbridge.json');
    if (!existsSync(file)) return false;
    const state = JSON.parse(readFileSync(file, 'utf8')) as {
      buses: {
        Name: string;
        Description?: string;
        CreationTime: number;
        rules: (Omit<Rule, 'targets' | 'pattern' | 'Arn' | 'EventBusName'> & { targets: Target[] })[];
      }[];
    };
    for (const b of state.buses) {
      const bus: Bus = {
        Name: b.Name,
        Arn: `arn:aws:events:${this.region}:${this.accountId}:event-bus/${b.Name}`,
        Description: b.Description,
        CreationTime: b.CreationTime,
        rules: new Map(),
      };
      for (const r of b.rules) {
        bus.rules.set(r.Name, {
          ...r,
          Arn: this.ruleArn(b.Name, r.Name),
          EventBusName: b.Name,
          pattern: r.EventPattern === undefined ? undefined : EventPattern.parse(r.EventPattern),
          targets: new Map(r.targets.map((t) => [t.Id, t])),
        });
      }
      this.buses.set(b.Name, bus);
    }
    if (!this.buses.has('default')) this.createBus('default');
    return true;
  }
}

// ------------------------------------------------------------------ helpers

function describe(rule: Rule): object {
  return {
    Name: rule.Name,
    Arn: rule.Arn,
    EventPattern: rule.EventPattern,
    ScheduleExpression: rule.ScheduleExpression,
    State: rule.State,
    Description: rule.Description,
    RoleArn: rule.RoleArn,
    EventBusName: rule.EventBusName,
  };
}

function validateTarget(raw: Record<string, unknown>): Target {
  const id = raw.Id;
  if (typeof id !== 'string' || !NAME.test(id) || id.length > 64) {
    throw validation(
      `Value '${String(id)}' at 'targets.member.id' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\.\\-_A-Za-z0-9]+ (1 to 64 characters)`,
    );
  }
  const arn = raw.Arn;
  if (typeof arn !== 'string' || !arn.startsWith('arn:'))
    throw validation(`Parameter Arn of target ${id} is not valid: an ARN is required.`);
  const retry = raw.RetryPolicy as RetryPolicy | undefined;
  if (retry !== undefined) {
    const attempts = retry.MaximumRetryAttempts;
    const age = retry.MaximumEventAgeInSeconds;
    if (attempts !== undefined && !(Number.isInteger(attempts) && attempts >= 0 && attempts <= 185)) {
      throw validation(`RetryPolicy.MaximumRetryAttempts of target ${id} must be an integer from 0 to 185, got ${attempts}.`);
    }
    if (age !== undefined && !(Number.isInteger(age) && age >= 60 && age <= 86_400)) {
      throw validation(`RetryPolicy.MaximumEventAgeInSeconds of target ${id} must be an integer from 60 to 86400, got ${age}.`);
    }
  }
  const dlq = raw.DeadLetterConfig as { Arn?: unknown } | undefined;
  if (dlq?.Arn !== undefined && (typeof dlq.Arn !== 'string' || !dlq.Arn.startsWith('arn:aws:sqs:'))) {
    throw validation(`DeadLetterConfig.Arn of target ${id} must be the ARN of an SQS queue, got ${String(dlq.Arn)}.`);
  }
  const target: Target = {
    Id: id,
    Arn: arn,
    RoleArn: raw.RoleArn as string | undefined,
    Input: raw.Input as string | undefined,
    InputPath: raw.InputPath as string | undefined,
    InputTransformer: raw.InputTransformer as InputTransformerConfig | undefined,
    RetryPolicy: retry,
    DeadLetterConfig: dlq as Target['DeadLetterConfig'],
  };
  validateTargetInput(id, target);
  return JSON.parse(JSON.stringify(target)) as Target; // drop undefined fields
}

function parsePattern(text: string): EventPattern {
  try {
    return EventPattern.parse(text);
  } catch (e) {
    if (e instanceof EventPatternError) throw new AwsError('InvalidEventPatternException', e.message);
    throw e;
  }
}

function busNameOf(v: unknown): string | undefined {
  if (typeof v !== 'string' || v === '') return undefined;
  const m = /^arn:aws[\w-]*:events:[^:]*:[^:]*:event-bus\/(.+)$/.exec(v);
  return m ? m[1] : v;
}

function entrySize(e: Record<string, unknown>): number {
  let size = e.Time !== undefined ? 14 : 0;
  for (const field of ['Source', 'DetailType', 'Detail']) if (typeof e[field] === 'string') size += Buffer.byteLength(e[field] as string);
  if (Array.isArray(e.Resources)) for (const r of e.Resources) if (typeof r === 'string') size += Buffer.byteLength(r);
  return size;
}

function paginate<T>(all: readonly T[], i: Record<string, unknown>): { page: T[]; next?: string } {
  const limit = typeof i.Limit === 'number' && i.Limit > 0 ? Math.min(i.Limit, 100) : 100;
  const start = typeof i.NextToken === 'string' ? Number.parseInt(i.NextToken, 10) || 0 : 0;
  const page = all.slice(start, start + limit);
  return { page, next: start + limit < all.length ? String(start + limit) : undefined };
}

function requireString(i: Record<string, unknown>, field: string): string {
  const v = i[field];
  if (typeof v !== 'string' || v === '')
    throw validation(
      `1 validation error detected: Value null at '${lowerFirst(field)}' failed to satisfy constraint: Member must not be null`,
    );
  return v;
}

function optionalString(i: Record<string, unknown>, field: string): string | undefined {
  const v = i[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw validation(`Value at '${lowerFirst(field)}' must be a string.`);
  return v;
}

function lowerFirst(s: string): string {
  return s[0].toLowerCase() + s.slice(1);
}

function validation(message: string): AwsError {
  return new AwsError('ValidationException', message);
}

/** Event time as EventBridge writes it: ISO 8601 without milliseconds. */
function isoSeconds(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
