/**
 * What a Distributed Map makes of its child executions' results: the state's result array, or, with
 * a ResultWriter, result files and a manifest in S3 and `{MapRunArn, ResultWriterDetails}` as the
 * state's result. https://docs.aws.amazon.com/step-functions/latest/dg/input-output-resultwriter.html
 *
 * The files are written with `arn:aws:states:::s3:putObject` ({Bucket, Key, Body}) through the Task
 * resolution chain, like the ItemReader's reads.
 */
import { StatesError, States } from '../errors';
import type { ResultWriterModel } from '../asl/model';
import { RESULT_WRITER_PUT_OBJECT } from '../asl/parse';
import type { S3Call } from './map-run-items';

/** One child execution (or an item that never got one: status PENDING) as the Map Run ended it. */
export interface ChildOutcome {
  readonly status: 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED' | 'PENDING';
  readonly input: string;
  readonly executionArn?: string;
  readonly name?: string;
  readonly stateMachineArn?: string;
  readonly startDate?: Date;
  readonly stopDate?: Date;
  readonly output?: string;
  readonly error?: string;
  readonly cause?: string;
}

/** A child's full record ("NONE" transformation): its metadata, input and output or error. */
export function childRecord(c: ChildOutcome): Record<string, unknown> {
  if (c.status === 'PENDING') return { Input: c.input, InputDetails: { Included: true }, Status: 'PENDING' };
  const record: Record<string, unknown> = {
    ExecutionArn: c.executionArn,
    Input: c.input,
    InputDetails: { Included: true },
    Name: c.name,
  };
  if (c.status === 'SUCCEEDED') {
    record.Output = c.output;
    record.OutputDetails = { Included: true };
  } else {
    if (c.error !== undefined) record.Error = c.error;
    if (c.cause !== undefined) record.Cause = c.cause;
  }
  // This engine has no redrive: every ended child is final.
  record.RedriveCount = 0;
  record.RedriveStatus = 'NOT_REDRIVABLE';
  record.RedriveStatusReason = `Execution is ${c.status} and cannot be redriven`;
  record.StartDate = c.startDate?.toISOString();
  record.StateMachineArn = c.stateMachineArn;
  record.Status = c.status;
  record.StopDate = c.stopDate?.toISOString();
  return record;
}

/**
 * The state's result without a ResultWriter: each child's output in item order, null where a
 * (tolerated) child did not succeed.
 */
export function plainResults(children: readonly ChildOutcome[]): unknown[] {
  return children.map((c) => (c.status === 'SUCCEEDED' ? (JSON.parse(c.output ?? 'null') as unknown) : null));
}

/**
 * The results as Transformation says: NONE = full records; COMPACT = outputs; FLATTEN = outputs with
 * array outputs spread. A child that did not succeed is always its full record, as the docs note.
 */
export function transformResults(children: readonly ChildOutcome[], transformation: ResultWriterModel['transformation']): unknown[] {
  const results: unknown[] = [];
  for (const c of children) {
    if (c.status === 'PENDING') continue;
    if (transformation === 'NONE' || c.status !== 'SUCCEEDED') {
      results.push(childRecord(c));
      continue;
    }
    const output = JSON.parse(c.output ?? 'null') as unknown;
    if (transformation === 'FLATTEN' && Array.isArray(output)) results.push(...output);
    else results.push(output);
  }
  return results;
}

/** One status's results file: a JSON array, or JSON Lines. */
function fileBody(entries: unknown[], outputType: ResultWriterModel['outputType']): string {
  return outputType === 'JSONL' ? entries.map((e) => JSON.stringify(e)).join('\n') + '\n' : JSON.stringify(entries);
}

/**
 * Writes `<Prefix>/<map run id>/<STATUS>_0.json` per status that has entries and `manifest.json`
 * listing them; returns where the manifest is.
 */
export async function writeResults(
  writer: ResultWriterModel,
  parameters: unknown,
  mapRunArn: string,
  children: readonly ChildOutcome[],
  call: S3Call,
): Promise<{ Bucket: string; Key: string }> {
  const params = (parameters ?? {}) as Record<string, unknown>;
  if (typeof params.Bucket !== 'string' || params.Bucket === '') {
    throw new StatesError(States.ResultWriterFailed, "The ResultWriter's parameters must name a Bucket (a string)");
  }
  if (params.Prefix !== undefined && typeof params.Prefix !== 'string') {
    throw new StatesError(States.ResultWriterFailed, "The ResultWriter's Prefix must be a string");
  }
  const bucket = params.Bucket;
  const prefix = typeof params.Prefix === 'string' && params.Prefix !== '' ? `${params.Prefix.replace(/\/+$/, '')}/` : '';
  const runId = mapRunArn.slice(mapRunArn.lastIndexOf(':') + 1);
  const base = `${prefix}${runId}/`;
  const files: Record<'FAILED' | 'PENDING' | 'SUCCEEDED', { Key: string; Size: number }[]> = { FAILED: [], PENDING: [], SUCCEEDED: [] };
  const groups: [keyof typeof files, ChildOutcome[]][] = [
    ['SUCCEEDED', children.filter((c) => c.status === 'SUCCEEDED')],
    ['FAILED', children.filter((c) => c.status === 'FAILED' || c.status === 'TIMED_OUT' || c.status === 'ABORTED')],
    ['PENDING', children.filter((c) => c.status === 'PENDING')],
  ];
  const put = async (key: string, body: string) => {
    try {
      await call(RESULT_WRITER_PUT_OBJECT, { Bucket: bucket, Key: key, Body: body });
    } catch (e) {
      const err = e as StatesError;
      throw new StatesError(
        States.ResultWriterFailed,
        `Writing s3://${bucket}/${key} failed: ${err.error ?? ''} ${err.cause ?? err.message}`.trim(),
      );
    }
  };
  for (const [status, group] of groups) {
    if (group.length === 0) continue;
    const entries = status === 'PENDING' ? group.map(childRecord) : transformResults(group, writer.transformation);
    const body = fileBody(entries, writer.outputType);
    const key = `${base}${status}_0.json`;
    await put(key, body);
    files[status].push({ Key: key, Size: Buffer.byteLength(body, 'utf8') });
  }
  const manifestKey = `${base}manifest.json`;
  await put(manifestKey, JSON.stringify({ DestinationBucket: bucket, MapRunArn: mapRunArn, ResultFiles: files }));
  return { Bucket: bucket, Key: manifestKey };
}
