/**
 * Typed, immutable model of a state machine definition. Built once by parse.ts; the runtime only
 * reads it. Field names follow ASL (camelCased); `undefined` means "field absent" (defaults apply),
 * `null` is kept where ASL gives null a meaning (InputPath/OutputPath/ResultPath: null).
 */
import type { ResourceDescription } from './resource';
import type { CompiledTemplate } from './jsonpath';

export type QueryLanguage = 'JSONPath' | 'JSONata';

export interface StateMachineModel {
  readonly comment?: string;
  readonly startAt: string;
  readonly states: ReadonlyMap<string, State>;
  readonly queryLanguage: QueryLanguage;
  readonly timeoutSeconds?: number;
}

export interface Retrier {
  readonly errorEquals: readonly string[];
  readonly intervalSeconds: number;
  readonly maxAttempts: number;
  readonly backoffRate: number;
  readonly maxDelaySeconds?: number;
  readonly jitterStrategy: 'FULL' | 'NONE';
}

export interface Catcher {
  readonly errorEquals: readonly string[];
  readonly next: string;
  /** JSONPath only; undefined = "$". */
  readonly resultPath?: string | null;
  readonly assign?: CompiledAssign;
  /** JSONata only. */
  readonly output?: unknown;
}

/** Assign, compiled for the state's query language. */
export type CompiledAssign =
  { readonly language: 'JSONPath'; readonly template: CompiledTemplate } | { readonly language: 'JSONata'; readonly value: unknown };

interface StateCommon {
  readonly name: string;
  readonly queryLanguage: QueryLanguage;
  readonly comment?: string;
  /** Name of the next state; undefined when End (or for terminal types). */
  readonly next?: string;
  readonly end: boolean;
  readonly inputPath?: string | null;
  readonly outputPath?: string | null;
  readonly assign?: CompiledAssign;
  /** JSONata Output (raw value with {% %} templates). */
  readonly output?: unknown;
  readonly hasOutput: boolean;
}

interface WithResult {
  readonly resultPath?: string | null;
  readonly resultSelector?: CompiledTemplate;
  readonly retry: readonly Retrier[];
  readonly catch: readonly Catcher[];
}

export interface TaskState extends StateCommon, WithResult {
  readonly type: 'Task';
  readonly resource: string;
  /** The Resource ARN split as AWS records it (computed once, at parse time). */
  readonly description: ResourceDescription;
  readonly parameters?: CompiledTemplate;
  /** JSONata Arguments. */
  readonly arguments?: unknown;
  readonly timeoutSeconds?: number | string; // string = JSONata expression
  readonly timeoutSecondsPath?: string;
  readonly heartbeatSeconds?: number | string;
  readonly heartbeatSecondsPath?: string;
  readonly credentials?: unknown;
}

export interface PassState extends StateCommon {
  readonly type: 'Pass';
  readonly hasResult: boolean;
  readonly result?: unknown;
  readonly parameters?: CompiledTemplate;
  readonly resultPath?: string | null;
}

export interface ChoiceRuleModel {
  /** The rule object as written (a JSONPath rule tree or a JSONata {Condition}). */
  readonly rule: Readonly<Record<string, unknown>>;
  readonly next: string;
  readonly assign?: CompiledAssign;
  readonly output?: unknown;
  readonly hasOutput: boolean;
}

export interface ChoiceState extends StateCommon {
  readonly type: 'Choice';
  readonly choices: readonly ChoiceRuleModel[];
  readonly default?: string;
}

export interface WaitState extends StateCommon {
  readonly type: 'Wait';
  readonly seconds?: unknown;
  readonly secondsPath?: string;
  readonly timestamp?: unknown;
  readonly timestampPath?: string;
}

export interface SucceedState extends StateCommon {
  readonly type: 'Succeed';
}

export interface FailState extends StateCommon {
  readonly type: 'Fail';
  readonly error?: string;
  readonly errorPath?: string;
  readonly cause?: string;
  readonly causePath?: string;
}

export interface ParallelState extends StateCommon, WithResult {
  readonly type: 'Parallel';
  readonly branches: readonly StateMachineModel[];
  readonly parameters?: CompiledTemplate;
  readonly arguments?: unknown;
}

export interface MapState extends StateCommon, WithResult {
  readonly type: 'Map';
  readonly processor: StateMachineModel;
  /** INLINE iterations record their events in the execution's history; DISTRIBUTED runs child executions (a Map Run). */
  readonly mode: 'INLINE' | 'DISTRIBUTED';
  /** DISTRIBUTED: the type of the child executions. */
  readonly executionType: 'STANDARD' | 'EXPRESS';
  readonly itemsPath?: string;
  /** JSONata Items. */
  readonly items?: unknown;
  readonly itemSelector?: CompiledTemplate;
  /** JSONata ItemSelector. */
  readonly itemSelectorJsonata?: unknown;
  readonly maxConcurrency?: unknown;
  readonly maxConcurrencyPath?: string;
  readonly label?: string;
  readonly toleratedFailureCount?: unknown;
  readonly toleratedFailureCountPath?: string;
  readonly toleratedFailurePercentage?: unknown;
  readonly toleratedFailurePercentagePath?: string;
  readonly itemReader?: ItemReaderModel;
  readonly itemBatcher?: ItemBatcherModel;
  readonly resultWriter?: ResultWriterModel;
}

/** Where a Distributed Map reads its items. https://docs.aws.amazon.com/step-functions/latest/dg/input-output-itemreader.html */
export interface ItemReaderModel {
  /** `arn:aws:states:::s3:getObject` or `arn:aws:states:::s3:listObjectsV2`. */
  readonly resource: string;
  /** JSONPath Parameters (Bucket, Key / Prefix, ...). */
  readonly parameters?: CompiledTemplate;
  /** JSONata Arguments. */
  readonly arguments?: unknown;
  /** getObject only: how the object's body is split into items. */
  readonly inputType?: 'JSON' | 'JSONL' | 'CSV';
  readonly csvHeaderLocation: 'FIRST_ROW' | 'GIVEN';
  readonly csvHeaders?: readonly string[];
  /** The CSV field delimiter character (ReaderConfig.CSVDelimiter, default COMMA). */
  readonly csvDelimiter: string;
  /** ReaderConfig.MaxItems (a number, or a JSONata expression string). */
  readonly maxItems?: unknown;
  readonly maxItemsPath?: string;
}

/** Groups items into batches, one child execution each. https://docs.aws.amazon.com/step-functions/latest/dg/input-output-itembatcher.html */
export interface ItemBatcherModel {
  readonly maxItemsPerBatch?: unknown;
  readonly maxItemsPerBatchPath?: string;
  readonly maxInputBytesPerBatch?: unknown;
  readonly maxInputBytesPerBatchPath?: string;
  /** JSONPath BatchInput template. */
  readonly batchInput?: CompiledTemplate;
  /** JSONata BatchInput value. */
  readonly batchInputJsonata?: unknown;
}

/** Where and how a Distributed Map exports its child results. https://docs.aws.amazon.com/step-functions/latest/dg/input-output-resultwriter.html */
export interface ResultWriterModel {
  /** `arn:aws:states:::s3:putObject`; undefined = WriterConfig only (format the state's result, export nothing). */
  readonly resource?: string;
  readonly parameters?: CompiledTemplate;
  readonly arguments?: unknown;
  readonly transformation: 'NONE' | 'COMPACT' | 'FLATTEN';
  readonly outputType: 'JSON' | 'JSONL';
}

export type State = TaskState | PassState | ChoiceState | WaitState | SucceedState | FailState | ParallelState | MapState;
