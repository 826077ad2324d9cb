/**
 * Definition text (YAML or JSON) or object -> validated StateMachineModel.
 * Errors read like AWS's InvalidDefinition details: "<CODE>: <what> at <location>".
 * https://docs.aws.amazon.com/step-functions/latest/dg/concepts-amazon-states-language.html
 */
import { compileTemplate, isDefinitePath, TemplateError, type CompiledTemplate } from './jsonpath';
import { compileJsonata, containsJsonata, jsonataExpressionText } from './jsonata';
import { CHOICE_OPERATORS, ruleOperator } from './choice';
import { describeResource } from './resource';
import { readDefinitionText } from './yaml';
import type {
  Catcher,
  ChoiceRuleModel,
  CompiledAssign,
  ItemBatcherModel,
  ItemReaderModel,
  QueryLanguage,
  ResultWriterModel,
  Retrier,
  State,
  StateMachineModel,
} from './model';

export interface AslDefinitionProblem {
  readonly code: string;
  readonly path: string;
  readonly message: string;
}

export class AslDefinitionError extends Error {
  readonly code: string;
  readonly path: string;
  readonly problems: readonly AslDefinitionProblem[];

  constructor(problems: readonly AslDefinitionProblem[]) {
    super(problems.map((p) => p.message).join(', '));
    this.name = 'AslDefinitionError';
    this.problems = problems;
    this.code = problems[0].code;
    this.path = problems[0].path;
  }
}

const COMMON_FIELDS = ['Type', 'Comment', 'QueryLanguage', 'Next', 'End', 'InputPath', 'OutputPath', 'Assign', 'Output'];
const FIELDS_BY_TYPE: Record<string, readonly string[]> = {
  Task: [
    'Resource',
    'Parameters',
    'Arguments',
    'ResultPath',
    'ResultSelector',
    'Retry',
    'Catch',
    'TimeoutSeconds',
    'TimeoutSecondsPath',
    'HeartbeatSeconds',
    'HeartbeatSecondsPath',
    'Credentials',
  ],
  Pass: ['Result', 'ResultPath', 'Parameters'],
  Choice: ['Choices', 'Default'],
  Wait: ['Seconds', 'SecondsPath', 'Timestamp', 'TimestampPath'],
  Succeed: [],
  Fail: ['Error', 'ErrorPath', 'Cause', 'CausePath'],
  Parallel: ['Branches', 'Parameters', 'Arguments', 'ResultPath', 'ResultSelector', 'Retry', 'Catch'],
  Map: [
    'Iterator',
    'ItemProcessor',
    'ItemsPath',
    'Items',
    'ItemSelector',
    'Parameters',
    'MaxConcurrency',
    'MaxConcurrencyPath',
    'ResultPath',
    'ResultSelector',
    'Retry',
    'Catch',
    'ItemReader',
    'ResultWriter',
    'ItemBatcher',
    'Label',
    'ToleratedFailureCount',
    'ToleratedFailureCountPath',
    'ToleratedFailurePercentage',
    'ToleratedFailurePercentagePath',
    'Arguments',
  ],
};
/** Fields that exist only in JSONPath states / only in JSONata states. */
const JSONPATH_ONLY = [
  'InputPath',
  'OutputPath',
  'Parameters',
  'ResultSelector',
  'ResultPath',
  'ItemsPath',
  'SecondsPath',
  'TimestampPath',
  'TimeoutSecondsPath',
  'HeartbeatSecondsPath',
  'ErrorPath',
  'CausePath',
  'MaxConcurrencyPath',
  'ToleratedFailureCountPath',
  'ToleratedFailurePercentagePath',
  'Iterator',
];
const JSONATA_ONLY = ['Arguments', 'Output', 'Items'];
const TRANSITION_TYPES = new Set(['Task', 'Pass', 'Wait', 'Parallel', 'Map']);
export const ITEM_READER_GET_OBJECT = 'arn:aws:states:::s3:getObject';
export const ITEM_READER_LIST_OBJECTS = 'arn:aws:states:::s3:listObjectsV2';
export const RESULT_WRITER_PUT_OBJECT = 'arn:aws:states:::s3:putObject';
/** ReaderConfig.CSVDelimiter names and their characters. */
const CSV_DELIMITERS: Record<string, string> = { COMMA: ',', PIPE: '|', SEMICOLON: ';', SPACE: ' ', TAB: '\t' };
/** ItemReader.ReaderConfig.MaxItems: at most 100,000,000. */
const MAX_ITEMS = 100_000_000;
/** ItemBatcher.MaxInputBytesPerBatch: at most 256 KiB. */
const MAX_BATCH_BYTES = 256 * 1024;

/** Parses YAML or JSON text (JSON is YAML) or takes an object, then validates it. */
export function parseDefinition(definition: string | object): StateMachineModel {
  let raw: unknown = definition;
  if (typeof definition === 'string') {
    try {
      raw = readDefinitionText(definition);
    } catch (e) {
      throw new AslDefinitionError([
        { code: 'INVALID_JSON_DESCRIPTION', path: '/', message: `INVALID_JSON_DESCRIPTION: ${(e as Error).message.split('\n')[0]}` },
      ]);
    }
  }
  const ctx = new ParseContext();
  const model = ctx.machine(raw, '', undefined);
  ctx.checkUniqueNames();
  if (ctx.problems.length > 0 || !model) throw new AslDefinitionError(ctx.problems);
  return model;
}

/** A JSONPath-only field in a JSONata state, worded as AWS words it. */
function jsonPathOnly(field: string): string {
  return `The QueryLanguage is set to 'JSONata', but field '${field}' is only supported for the 'JSONPath' QueryLanguage`;
}

class ParseContext {
  readonly problems: AslDefinitionProblem[] = [];
  private readonly stateNames = new Map<string, string>();
  private readonly duplicates: string[] = [];

  fail(code: string, path: string, detail: string): void {
    this.problems.push({ code, path: path || '/', message: `${code}: ${detail} at ${path || '/'}` });
  }

  checkUniqueNames(): void {
    for (const path of this.duplicates) this.fail('DUPLICATE_STATE_NAME', path, `Duplicate State name: ${path.split('/').pop()}`);
  }

  machine(raw: unknown, path: string, inherited: QueryLanguage | undefined): StateMachineModel | undefined {
    if (!isObject(raw)) {
      this.fail('SCHEMA_VALIDATION_FAILED', path, 'Expected an object');
      return undefined;
    }
    let queryLanguage: QueryLanguage = inherited ?? 'JSONPath';
    if (raw.QueryLanguage !== undefined) {
      if (raw.QueryLanguage !== 'JSONPath' && raw.QueryLanguage !== 'JSONata') {
        this.fail('SCHEMA_VALIDATION_FAILED', `${path}/QueryLanguage`, `Value is not a valid query language: ${String(raw.QueryLanguage)}`);
      } else queryLanguage = raw.QueryLanguage;
    }
    if (typeof raw.StartAt !== 'string') this.fail('SCHEMA_VALIDATION_FAILED', path, 'These fields are required: [StartAt]');
    if (!isObject(raw.States)) {
      this.fail('SCHEMA_VALIDATION_FAILED', path, 'These fields are required: [States]');
      return undefined;
    }
    if (raw.TimeoutSeconds !== undefined && !isNonNegativeInteger(raw.TimeoutSeconds)) {
      this.fail('SCHEMA_VALIDATION_FAILED', `${path}/TimeoutSeconds`, 'Expected value of type: Integer');
    }
    const states = new Map<string, State>();
    for (const [name, def] of Object.entries(raw.States)) {
      const statePath = `${path}/States/${name}`;
      if (this.stateNames.has(name)) this.duplicates.push(statePath);
      else this.stateNames.set(name, statePath);
      if (name.length > 80) this.fail('SCHEMA_VALIDATION_FAILED', statePath, 'State name must be at most 80 characters');
      const state = this.state(name, def, statePath, queryLanguage);
      if (state) states.set(name, state);
    }
    const startAt = raw.StartAt as string;
    if (typeof startAt === 'string' && !(startAt in raw.States)) {
      this.fail('MISSING_TRANSITION_TARGET', `${path}/StartAt`, `Missing 'StartAt' target: ${startAt}`);
    }
    const names = new Set(Object.keys(raw.States));
    const target = (t: unknown, at: string, field: string) => {
      if (typeof t === 'string' && !names.has(t)) this.fail('MISSING_TRANSITION_TARGET', at, `Missing '${field}' target: ${t}`);
    };
    for (const s of states.values()) {
      const sp = `${path}/States/${s.name}`;
      if (s.next !== undefined) target(s.next, `${sp}/Next`, 'Next');
      if (s.type === 'Choice') {
        s.choices.forEach((c, i) => target(c.next, `${sp}/Choices[${i}]/Next`, 'Next'));
        if (s.default !== undefined) target(s.default, `${sp}/Default`, 'Default');
      }
      if (s.type === 'Task' || s.type === 'Parallel' || s.type === 'Map') {
        s.catch.forEach((c, i) => target(c.next, `${sp}/Catch[${i}]/Next`, 'Next'));
      }
    }
    return {
      comment: typeof raw.Comment === 'string' ? raw.Comment : undefined,
      startAt,
      states,
      queryLanguage,
      timeoutSeconds: typeof raw.TimeoutSeconds === 'number' ? raw.TimeoutSeconds : undefined,
    };
  }

  private state(name: string, def: unknown, path: string, parentLanguage: QueryLanguage): State | undefined {
    if (!isObject(def)) {
      this.fail('SCHEMA_VALIDATION_FAILED', path, 'Expected an object');
      return undefined;
    }
    const type = def.Type;
    if (typeof type !== 'string') {
      this.fail('SCHEMA_VALIDATION_FAILED', path, 'These fields are required: [Type]');
      return undefined;
    }
    const allowed = FIELDS_BY_TYPE[type];
    if (!allowed) {
      this.fail('SCHEMA_VALIDATION_FAILED', `${path}/Type`, `Value is not a valid state type: ${type}`);
      return undefined;
    }
    let queryLanguage = parentLanguage;
    if (def.QueryLanguage !== undefined) {
      if (def.QueryLanguage !== 'JSONPath' && def.QueryLanguage !== 'JSONata') {
        this.fail('SCHEMA_VALIDATION_FAILED', `${path}/QueryLanguage`, `Value is not a valid query language: ${String(def.QueryLanguage)}`);
      } else if (parentLanguage === 'JSONata' && def.QueryLanguage === 'JSONPath') {
        this.fail(
          'SCHEMA_VALIDATION_FAILED',
          `${path}/QueryLanguage`,
          "The QueryLanguage 'JSONPath' cannot be used in a state machine whose QueryLanguage is 'JSONata'",
        );
      } else queryLanguage = def.QueryLanguage;
    }
    for (const field of Object.keys(def)) {
      if (!COMMON_FIELDS.includes(field) && !allowed.includes(field)) {
        this.fail('SCHEMA_VALIDATION_FAILED', `${path}/${field}`, `Field '${field}' is not supported`);
      } else if (queryLanguage === 'JSONata' && JSONPATH_ONLY.includes(field)) {
        this.fail('SCHEMA_VALIDATION_FAILED', `${path}/${field}`, jsonPathOnly(field));
      } else if (queryLanguage === 'JSONPath' && JSONATA_ONLY.includes(field)) {
        this.fail('SCHEMA_VALIDATION_FAILED', `${path}/${field}`, `The field '${field}' is only supported for the JSONata query language`);
      }
    }
    if (queryLanguage === 'JSONPath' && type === 'Task' && def.Parameters === undefined) {
      /* optional */
    }

    const end = def.End === true;
    const next = typeof def.Next === 'string' ? def.Next : undefined;
    if (TRANSITION_TYPES.has(type)) {
      if (def.Next !== undefined && typeof def.Next !== 'string')
        this.fail('SCHEMA_VALIDATION_FAILED', `${path}/Next`, 'Expected value of type: String');
      if (next !== undefined && end) this.fail('SCHEMA_VALIDATION_FAILED', path, "Only one of 'Next' or 'End' can be specified");
      if (next === undefined && !end) this.fail('SCHEMA_VALIDATION_FAILED', path, "Exactly one of 'Next' or 'End' is required");
    } else if (def.Next !== undefined || def.End !== undefined) {
      this.fail('SCHEMA_VALIDATION_FAILED', path, `Fields 'Next' and 'End' are not supported for ${type} states`);
    }

    const common = {
      name,
      queryLanguage,
      comment: typeof def.Comment === 'string' ? def.Comment : undefined,
      next,
      end,
      inputPath: this.pathField(def, 'InputPath', path, true),
      outputPath: this.pathField(def, 'OutputPath', path, true),
      assign: this.assign(def.Assign, `${path}/Assign`, queryLanguage),
      output: def.Output,
      hasOutput: def.Output !== undefined,
    };
    if (def.Output !== undefined) this.checkJsonata(def.Output, `${path}/Output`);

    switch (type) {
      case 'Pass':
        return {
          ...common,
          type,
          hasResult: 'Result' in def,
          result: def.Result,
          parameters: this.template(def.Parameters, `${path}/Parameters`),
          resultPath: this.resultPath(def, path),
        };
      case 'Task': {
        if (typeof def.Resource !== 'string') this.fail('SCHEMA_VALIDATION_FAILED', path, 'These fields are required: [Resource]');
        if (def.Arguments !== undefined) this.checkJsonata(def.Arguments, `${path}/Arguments`);
        return {
          ...common,
          type,
          resource: def.Resource as string,
          // (the problem is already recorded when Resource is missing; the model is discarded then)
          description: describeResource(typeof def.Resource === 'string' ? def.Resource : ''),
          parameters: this.template(def.Parameters, `${path}/Parameters`),
          arguments: def.Arguments,
          timeoutSeconds: this.secondsField(def, 'TimeoutSeconds', path, queryLanguage),
          timeoutSecondsPath: this.pathField(def, 'TimeoutSecondsPath', path, false) ?? undefined,
          heartbeatSeconds: this.secondsField(def, 'HeartbeatSeconds', path, queryLanguage),
          heartbeatSecondsPath: this.pathField(def, 'HeartbeatSecondsPath', path, false) ?? undefined,
          credentials: def.Credentials,
          ...this.resultFields(def, path, queryLanguage),
        };
      }
      case 'Choice': {
        const choices: ChoiceRuleModel[] = [];
        if (!Array.isArray(def.Choices) || def.Choices.length === 0) {
          this.fail(
            'SCHEMA_VALIDATION_FAILED',
            `${path}/Choices`,
            Array.isArray(def.Choices) ? 'Value cannot be empty' : 'These fields are required: [Choices]',
          );
        } else {
          def.Choices.forEach((rule, i) => {
            const rp = `${path}/Choices[${i}]`;
            if (!isObject(rule)) return this.fail('SCHEMA_VALIDATION_FAILED', rp, 'Expected an object');
            if (typeof rule.Next !== 'string') this.fail('SCHEMA_VALIDATION_FAILED', rp, 'These fields are required: [Next]');
            if (queryLanguage === 'JSONata') {
              if (rule.Condition === undefined) this.fail('SCHEMA_VALIDATION_FAILED', rp, 'These fields are required: [Condition]');
              else this.checkJsonata(rule.Condition, `${rp}/Condition`);
            } else this.checkRule(rule, rp, true);
            choices.push({
              rule,
              next: rule.Next as string,
              assign: this.assign(rule.Assign, `${rp}/Assign`, queryLanguage),
              output: rule.Output,
              hasOutput: rule.Output !== undefined,
            });
          });
        }
        return { ...common, type, choices, default: typeof def.Default === 'string' ? def.Default : undefined };
      }
      case 'Wait': {
        const given = ['Seconds', 'SecondsPath', 'Timestamp', 'TimestampPath'].filter((f) => def[f] !== undefined);
        if (given.length !== 1)
          this.fail(
            'SCHEMA_VALIDATION_FAILED',
            path,
            "Exactly one of 'Seconds', 'SecondsPath', 'Timestamp' or 'TimestampPath' is required",
          );
        return {
          ...common,
          type,
          seconds: def.Seconds,
          secondsPath: this.pathField(def, 'SecondsPath', path, false) ?? undefined,
          timestamp: def.Timestamp,
          timestampPath: this.pathField(def, 'TimestampPath', path, false) ?? undefined,
        };
      }
      case 'Succeed':
        return { ...common, type };
      case 'Fail':
        return {
          ...common,
          type,
          error: typeof def.Error === 'string' ? def.Error : undefined,
          errorPath: typeof def.ErrorPath === 'string' ? def.ErrorPath : undefined,
          cause: typeof def.Cause === 'string' ? def.Cause : undefined,
          causePath: typeof def.CausePath === 'string' ? def.CausePath : undefined,
        };
      case 'Parallel': {
        const branches: StateMachineModel[] = [];
        if (!Array.isArray(def.Branches) || def.Branches.length === 0) {
          this.fail(
            'SCHEMA_VALIDATION_FAILED',
            `${path}/Branches`,
            Array.isArray(def.Branches) ? 'Value cannot be empty' : 'These fields are required: [Branches]',
          );
        } else {
          def.Branches.forEach((b, i) => {
            const m = this.machine(b, `${path}/Branches[${i}]`, queryLanguage);
            if (m) branches.push(m);
          });
        }
        if (def.Arguments !== undefined) this.checkJsonata(def.Arguments, `${path}/Arguments`);
        return {
          ...common,
          type,
          branches,
          parameters: this.template(def.Parameters, `${path}/Parameters`),
          arguments: def.Arguments,
          ...this.resultFields(def, path, queryLanguage),
        };
      }
      case 'Map': {
        const processorDef = def.ItemProcessor ?? def.Iterator;
        const processorField = def.ItemProcessor !== undefined ? 'ItemProcessor' : 'Iterator';
        if (processorDef === undefined) this.fail('SCHEMA_VALIDATION_FAILED', path, 'These fields are required: [ItemProcessor]');
        const processor = processorDef === undefined ? undefined : this.machine(processorDef, `${path}/${processorField}`, queryLanguage);
        const selectorRaw = def.ItemSelector ?? def.Parameters;
        if (def.Items !== undefined) this.checkJsonata(def.Items, `${path}/Items`);
        const { mode, executionType } = this.processorConfig(processorDef, `${path}/${processorField}/ProcessorConfig`);
        if (def.Label !== undefined) this.checkLabel(def.Label, `${path}/Label`);
        this.mapNumber(def, 'MaxConcurrency', path, queryLanguage);
        this.mapNumber(def, 'ToleratedFailureCount', path, queryLanguage);
        this.mapNumber(def, 'ToleratedFailurePercentage', path, queryLanguage, { float: true, max: 100 });
        return {
          ...common,
          type,
          processor: processor ?? { startAt: '', states: new Map(), queryLanguage },
          mode,
          executionType,
          itemsPath: this.pathField(def, 'ItemsPath', path, false) ?? undefined,
          items: def.Items,
          itemSelector:
            queryLanguage === 'JSONPath'
              ? this.template(selectorRaw, `${path}/${def.ItemSelector !== undefined ? 'ItemSelector' : 'Parameters'}`)
              : undefined,
          itemSelectorJsonata: queryLanguage === 'JSONata' ? def.ItemSelector : undefined,
          maxConcurrency: def.MaxConcurrency,
          maxConcurrencyPath: this.pathField(def, 'MaxConcurrencyPath', path, false) ?? undefined,
          label: typeof def.Label === 'string' ? def.Label : undefined,
          toleratedFailureCount: def.ToleratedFailureCount,
          toleratedFailureCountPath: this.pathField(def, 'ToleratedFailureCountPath', path, false) ?? undefined,
          toleratedFailurePercentage: def.ToleratedFailurePercentage,
          toleratedFailurePercentagePath: this.pathField(def, 'ToleratedFailurePercentagePath', path, false) ?? undefined,
          itemReader: def.ItemReader === undefined ? undefined : this.itemReader(def.ItemReader, `${path}/ItemReader`, queryLanguage),
          itemBatcher: def.ItemBatcher === undefined ? undefined : this.itemBatcher(def.ItemBatcher, `${path}/ItemBatcher`, queryLanguage),
          resultWriter:
            def.ResultWriter === undefined ? undefined : this.resultWriter(def.ResultWriter, `${path}/ResultWriter`, queryLanguage),
          ...this.resultFields(def, path, queryLanguage),
        };
      }
    }
    return undefined;
  }

  // ------------------------------------------------------------ Distributed Map fields
  // https://docs.aws.amazon.com/step-functions/latest/dg/state-map-distributed.html

  private processorConfig(processorDef: unknown, path: string): { mode: 'INLINE' | 'DISTRIBUTED'; executionType: 'STANDARD' | 'EXPRESS' } {
    const config = isObject(processorDef) ? processorDef.ProcessorConfig : undefined;
    if (config === undefined) return { mode: 'INLINE', executionType: 'STANDARD' };
    if (!isObject(config)) {
      this.fail('SCHEMA_VALIDATION_FAILED', path, 'Expected an object');
      return { mode: 'INLINE', executionType: 'STANDARD' };
    }
    const mode = config.Mode ?? 'INLINE';
    if (mode !== 'INLINE' && mode !== 'DISTRIBUTED') {
      this.fail('SCHEMA_VALIDATION_FAILED', `${path}/Mode`, `Value is not a valid processor mode (INLINE, DISTRIBUTED): ${String(mode)}`);
    }
    const executionType = config.ExecutionType ?? 'STANDARD';
    if (executionType !== 'STANDARD' && executionType !== 'EXPRESS') {
      this.fail(
        'SCHEMA_VALIDATION_FAILED',
        `${path}/ExecutionType`,
        `Value is not a valid execution type (STANDARD, EXPRESS): ${String(executionType)}`,
      );
    }
    if (mode !== 'DISTRIBUTED' && config.ExecutionType !== undefined) {
      this.fail(
        'SCHEMA_VALIDATION_FAILED',
        `${path}/ExecutionType`,
        "The field 'ExecutionType' is only supported when Mode is DISTRIBUTED",
      );
    }
    return { mode: mode === 'DISTRIBUTED' ? 'DISTRIBUTED' : 'INLINE', executionType: executionType === 'EXPRESS' ? 'EXPRESS' : 'STANDARD' };
  }

  /**
   * A Map number field and its `...Path` twin, checked as AWS checks all of them at creation: not
   * both, a literal not below 0 (nor above its maximum), a Path that is a reference path into the
   * input (not the context object), and no Path in JSONata.
   * (AWS's wording, checked in us-east-1: https://github.com/floci-io/floci/issues/3733)
   */
  private mapNumber(
    def: Record<string, unknown>,
    field: string,
    path: string,
    lang: QueryLanguage,
    limits: { float?: boolean; max?: number } = {},
  ): void {
    const pathField = `${field}Path`;
    if (def[field] !== undefined && def[pathField] !== undefined) {
      this.fail('SCHEMA_VALIDATION_FAILED', path, `There should only be one of the following fields: [${field}, ${pathField}]`);
    }
    const v = def[field];
    if (typeof v === 'number') {
      const shown = (n: number) => (limits.float ? n.toFixed(1) : String(n));
      if (v < 0) this.fail('SCHEMA_VALIDATION_FAILED', `${path}/${field}`, `Minimum value is ${shown(0)}`);
      else if (limits.max !== undefined && v > limits.max) {
        this.fail('SCHEMA_VALIDATION_FAILED', `${path}/${field}`, `Maximum value is ${shown(limits.max)}`);
      }
    }
    const p = def[pathField];
    if (p !== undefined && lang === 'JSONata') {
      // Top-level Map fields are reported by the JSONPath-only check already.
      if (!JSONPATH_ONLY.includes(pathField)) this.fail('SCHEMA_VALIDATION_FAILED', `${path}/${pathField}`, jsonPathOnly(pathField));
    } else if (typeof p === 'string' && p.startsWith('$$')) {
      this.fail('SCHEMA_VALIDATION_FAILED', `${path}/${pathField}`, 'Value is not a Reference Path');
    }
  }

  /** A Label names the Map Run in its ARN: at most 40 characters, none of the characters names may not contain. */
  private checkLabel(label: unknown, path: string): void {
    if (
      typeof label !== 'string' ||
      label.length === 0 ||
      label.length > 40 ||
      /[\s<>{}[\]?*"#%\\^|~`$&,;:/\u0000-\u001f\u007f-\u009f]/.test(label)
    ) {
      this.fail(
        'SCHEMA_VALIDATION_FAILED',
        path,
        'Label must be 1-40 characters without whitespace, brackets, wildcards or special characters',
      );
    }
  }

  /** Parameters (JSONPath) or Arguments (JSONata) of an ItemReader / ResultWriter. */
  private serviceArguments(
    def: Record<string, unknown>,
    path: string,
    lang: QueryLanguage,
  ): { parameters?: CompiledTemplate; arguments?: unknown } {
    if (lang === 'JSONata') {
      if (def.Parameters !== undefined)
        this.fail(
          'SCHEMA_VALIDATION_FAILED',
          `${path}/Parameters`,
          "The field 'Parameters' is not supported for the JSONata query language",
        );
      if (def.Arguments !== undefined) this.checkJsonata(def.Arguments, `${path}/Arguments`);
      return { arguments: def.Arguments };
    }
    if (def.Arguments !== undefined)
      this.fail('SCHEMA_VALIDATION_FAILED', `${path}/Arguments`, "The field 'Arguments' is only supported for the JSONata query language");
    return { parameters: this.template(def.Parameters, `${path}/Parameters`) };
  }

  private checkFields(def: Record<string, unknown>, allowed: readonly string[], path: string): void {
    for (const field of Object.keys(def)) {
      if (!allowed.includes(field)) this.fail('SCHEMA_VALIDATION_FAILED', `${path}/${field}`, `Field '${field}' is not supported`);
    }
  }

  private itemReader(raw: unknown, path: string, lang: QueryLanguage): ItemReaderModel | undefined {
    if (!isObject(raw)) {
      this.fail('SCHEMA_VALIDATION_FAILED', path, 'Expected an object');
      return undefined;
    }
    this.checkFields(raw, ['Resource', 'Parameters', 'Arguments', 'ReaderConfig'], path);
    const resource = raw.Resource;
    if (resource !== ITEM_READER_GET_OBJECT && resource !== ITEM_READER_LIST_OBJECTS) {
      this.fail(
        'SCHEMA_VALIDATION_FAILED',
        `${path}/Resource`,
        `ItemReader Resource must be ${ITEM_READER_GET_OBJECT} or ${ITEM_READER_LIST_OBJECTS}`,
      );
    }
    const config = raw.ReaderConfig ?? {};
    const cp = `${path}/ReaderConfig`;
    if (!isObject(config)) {
      this.fail('SCHEMA_VALIDATION_FAILED', cp, 'Expected an object');
      return undefined;
    }
    this.checkFields(config, ['InputType', 'CSVHeaderLocation', 'CSVHeaders', 'CSVDelimiter', 'MaxItems', 'MaxItemsPath'], cp);
    const inputType = config.InputType;
    if (inputType !== undefined && inputType !== 'JSON' && inputType !== 'JSONL' && inputType !== 'CSV') {
      this.fail('SCHEMA_VALIDATION_FAILED', `${cp}/InputType`, `InputType must be JSON, JSONL or CSV, not ${String(inputType)}`);
    }
    if (resource === ITEM_READER_GET_OBJECT && inputType === undefined) {
      this.fail('SCHEMA_VALIDATION_FAILED', cp, `ReaderConfig.InputType is required with ${ITEM_READER_GET_OBJECT}`);
    }
    const headerLocation = config.CSVHeaderLocation ?? 'FIRST_ROW';
    if (headerLocation !== 'FIRST_ROW' && headerLocation !== 'GIVEN') {
      this.fail('SCHEMA_VALIDATION_FAILED', `${cp}/CSVHeaderLocation`, 'CSVHeaderLocation must be FIRST_ROW or GIVEN');
    }
    if (headerLocation === 'GIVEN' && (!isStringArray(config.CSVHeaders) || config.CSVHeaders.length === 0)) {
      this.fail(
        'SCHEMA_VALIDATION_FAILED',
        `${cp}/CSVHeaders`,
        'CSVHeaders (a non-empty array of strings) is required when CSVHeaderLocation is GIVEN',
      );
    }
    const delimiter = CSV_DELIMITERS[String(config.CSVDelimiter ?? 'COMMA')];
    if (delimiter === undefined) {
      this.fail('SCHEMA_VALIDATION_FAILED', `${cp}/CSVDelimiter`, `CSVDelimiter must be one of ${Object.keys(CSV_DELIMITERS).join(', ')}`);
    }
    this.mapNumber(config, 'MaxItems', cp, lang, { max: MAX_ITEMS });
    if (
      config.MaxItems !== undefined &&
      !(lang === 'JSONata' && typeof config.MaxItems === 'string') &&
      typeof config.MaxItems !== 'number'
    ) {
      this.fail('SCHEMA_VALIDATION_FAILED', `${cp}/MaxItems`, 'Expected value of type: Integer');
    }
    if (typeof config.MaxItems === 'string') this.checkJsonata(config.MaxItems, `${cp}/MaxItems`);
    return {
      resource: resource as string,
      ...this.serviceArguments(raw, path, lang),
      inputType: inputType as ItemReaderModel['inputType'],
      csvHeaderLocation: headerLocation === 'GIVEN' ? 'GIVEN' : 'FIRST_ROW',
      csvHeaders: isStringArray(config.CSVHeaders) ? config.CSVHeaders : undefined,
      csvDelimiter: delimiter ?? ',',
      maxItems: config.MaxItems,
      maxItemsPath: this.pathField(config, 'MaxItemsPath', cp, false) ?? undefined,
    };
  }

  private itemBatcher(raw: unknown, path: string, lang: QueryLanguage): ItemBatcherModel | undefined {
    if (!isObject(raw)) {
      this.fail('SCHEMA_VALIDATION_FAILED', path, 'Expected an object');
      return undefined;
    }
    this.checkFields(
      raw,
      ['MaxItemsPerBatch', 'MaxItemsPerBatchPath', 'MaxInputBytesPerBatch', 'MaxInputBytesPerBatchPath', 'BatchInput'],
      path,
    );
    const limits = ['MaxItemsPerBatch', 'MaxItemsPerBatchPath', 'MaxInputBytesPerBatch', 'MaxInputBytesPerBatchPath'];
    if (!limits.some((f) => raw[f] !== undefined)) {
      this.fail('SCHEMA_VALIDATION_FAILED', path, `ItemBatcher needs at least one of: ${limits.join(', ')}`);
    }
    this.mapNumber(raw, 'MaxItemsPerBatch', path, lang);
    this.mapNumber(raw, 'MaxInputBytesPerBatch', path, lang, { max: MAX_BATCH_BYTES });
    for (const field of ['MaxItemsPerBatch', 'MaxInputBytesPerBatch']) {
      const v = raw[field];
      if (v === undefined || (lang === 'JSONata' && typeof v === 'string') || (typeof v === 'number' && v < 0)) continue;
      if (!isNonNegativeInteger(v)) this.fail('SCHEMA_VALIDATION_FAILED', `${path}/${field}`, 'Expected value of type: Integer');
    }
    if (lang === 'JSONata') this.checkJsonata(raw, path);
    return {
      maxItemsPerBatch: raw.MaxItemsPerBatch,
      maxItemsPerBatchPath: this.pathField(raw, 'MaxItemsPerBatchPath', path, false) ?? undefined,
      maxInputBytesPerBatch: raw.MaxInputBytesPerBatch,
      maxInputBytesPerBatchPath: this.pathField(raw, 'MaxInputBytesPerBatchPath', path, false) ?? undefined,
      batchInput: lang === 'JSONPath' ? this.template(raw.BatchInput, `${path}/BatchInput`) : undefined,
      batchInputJsonata: lang === 'JSONata' ? raw.BatchInput : undefined,
    };
  }

  private resultWriter(raw: unknown, path: string, lang: QueryLanguage): ResultWriterModel | undefined {
    if (!isObject(raw)) {
      this.fail('SCHEMA_VALIDATION_FAILED', path, 'Expected an object');
      return undefined;
    }
    this.checkFields(raw, ['Resource', 'Parameters', 'Arguments', 'WriterConfig'], path);
    if (raw.Resource !== undefined && raw.Resource !== RESULT_WRITER_PUT_OBJECT) {
      this.fail('SCHEMA_VALIDATION_FAILED', `${path}/Resource`, `ResultWriter Resource must be ${RESULT_WRITER_PUT_OBJECT}`);
    }
    const hasTarget = raw.Parameters !== undefined || raw.Arguments !== undefined;
    if ((raw.Resource === undefined) !== !hasTarget) {
      this.fail(
        'SCHEMA_VALIDATION_FAILED',
        path,
        `ResultWriter needs both Resource and ${lang === 'JSONata' ? 'Arguments' : 'Parameters'}, or neither`,
      );
    }
    if (raw.Resource === undefined && raw.WriterConfig === undefined) {
      this.fail('SCHEMA_VALIDATION_FAILED', path, 'ResultWriter cannot be empty: give Resource and Parameters, WriterConfig, or all three');
    }
    const config = raw.WriterConfig ?? {};
    if (!isObject(config)) {
      this.fail('SCHEMA_VALIDATION_FAILED', `${path}/WriterConfig`, 'Expected an object');
      return undefined;
    }
    this.checkFields(config, ['Transformation', 'OutputType'], `${path}/WriterConfig`);
    // Defaults: exported results keep the execution metadata (NONE); results returned to the state are compact.
    const transformation = config.Transformation ?? (raw.Resource !== undefined ? 'NONE' : 'COMPACT');
    if (transformation !== 'NONE' && transformation !== 'COMPACT' && transformation !== 'FLATTEN') {
      this.fail('SCHEMA_VALIDATION_FAILED', `${path}/WriterConfig/Transformation`, 'Transformation must be NONE, COMPACT or FLATTEN');
    }
    const outputType = config.OutputType ?? 'JSON';
    if (outputType !== 'JSON' && outputType !== 'JSONL') {
      this.fail('SCHEMA_VALIDATION_FAILED', `${path}/WriterConfig/OutputType`, 'OutputType must be JSON or JSONL');
    }
    return {
      resource: typeof raw.Resource === 'string' ? raw.Resource : undefined,
      ...this.serviceArguments(raw, path, lang),
      transformation: transformation as ResultWriterModel['transformation'],
      outputType: outputType === 'JSONL' ? 'JSONL' : 'JSON',
    };
  }

  private checkRule(rule: Record<string, unknown>, path: string, top: boolean): void {
    if (Array.isArray(rule.And) || Array.isArray(rule.Or)) {
      const list = (rule.And ?? rule.Or) as unknown[];
      list.forEach((r, i) =>
        isObject(r)
          ? this.checkRule(r, `${path}/${rule.And ? 'And' : 'Or'}[${i}]`, false)
          : this.fail('SCHEMA_VALIDATION_FAILED', path, 'Expected an object'),
      );
      return;
    }
    if (rule.Not !== undefined) {
      if (isObject(rule.Not)) this.checkRule(rule.Not, `${path}/Not`, false);
      else this.fail('SCHEMA_VALIDATION_FAILED', `${path}/Not`, 'Expected an object');
      return;
    }
    const op = ruleOperator(rule);
    if (!op) {
      this.fail('SCHEMA_VALIDATION_FAILED', path, `A Choice rule requires one of: ${[...CHOICE_OPERATORS].join(', ')}, And, Or, Not`);
      return;
    }
    if (typeof rule.Variable !== 'string') this.fail('SCHEMA_VALIDATION_FAILED', path, 'These fields are required: [Variable]');
    if (!top && rule.Next !== undefined) this.fail('SCHEMA_VALIDATION_FAILED', `${path}/Next`, "Nested Choice rules cannot have 'Next'");
  }

  private pathField(def: Record<string, unknown>, field: string, path: string, nullable: boolean): string | null | undefined {
    const v = def[field];
    if (v === undefined) return undefined;
    if (v === null && nullable) return null;
    if (typeof v !== 'string' || !v.startsWith('$')) {
      this.fail('SCHEMA_VALIDATION_FAILED', `${path}/${field}`, `The value for the field '${field}' must be a valid JSONPath`);
      return undefined;
    }
    return v;
  }

  private resultPath(def: Record<string, unknown>, path: string): string | null | undefined {
    const v = this.pathField(def, 'ResultPath', path, true);
    if (typeof v === 'string' && !isDefinitePath(v)) {
      this.fail('SCHEMA_VALIDATION_FAILED', `${path}/ResultPath`, "The value for the field 'ResultPath' must be a valid Reference Path");
    }
    return v;
  }

  private secondsField(def: Record<string, unknown>, field: string, path: string, lang: QueryLanguage): number | string | undefined {
    const v = def[field];
    if (v === undefined) return undefined;
    if (lang === 'JSONata' && typeof v === 'string' && jsonataExpressionText(v) !== undefined) {
      this.checkJsonata(v, `${path}/${field}`);
      return v;
    }
    if (!isNonNegativeInteger(v) || v === 0) {
      this.fail('SCHEMA_VALIDATION_FAILED', `${path}/${field}`, `The value for the field '${field}' must be a positive integer`);
      return undefined;
    }
    return v;
  }

  private resultFields(def: Record<string, unknown>, path: string, lang: QueryLanguage) {
    return {
      resultPath: this.resultPath(def, path),
      resultSelector: this.template(def.ResultSelector, `${path}/ResultSelector`),
      retry: this.retriers(def.Retry, `${path}/Retry`),
      catch: this.catchers(def.Catch, `${path}/Catch`, lang),
    };
  }

  private template(value: unknown, path: string): CompiledTemplate | undefined {
    if (value === undefined) return undefined;
    try {
      return compileTemplate(value, path);
    } catch (e) {
      if (e instanceof TemplateError) {
        this.fail('SCHEMA_VALIDATION_FAILED', e.location, e.message);
        return undefined;
      }
      throw e;
    }
  }

  private assign(value: unknown, path: string, lang: QueryLanguage): CompiledAssign | undefined {
    if (value === undefined) return undefined;
    if (!isObject(value)) {
      this.fail('SCHEMA_VALIDATION_FAILED', path, 'Assign must be an object');
      return undefined;
    }
    for (const key of Object.keys(value)) {
      const name = key.endsWith('.$') ? key.slice(0, -2) : key;
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name) || name === 'states') {
        this.fail('SCHEMA_VALIDATION_FAILED', `${path}/${key}`, `The variable name '${name}' is not valid`);
      }
    }
    if (lang === 'JSONata') {
      this.checkJsonata(value, path);
      return { language: 'JSONata', value };
    }
    const template = this.template(value, path);
    return template ? { language: 'JSONPath', template } : undefined;
  }

  private checkJsonata(value: unknown, path: string): void {
    if (!containsJsonata(value)) return;
    const walk = (v: unknown, p: string) => {
      const text = jsonataExpressionText(v);
      if (text !== undefined) {
        try {
          compileJsonata(text);
        } catch (e) {
          this.fail('SCHEMA_VALIDATION_FAILED', p, `The JSONata expression '${text}' is not valid: ${(e as Error).message}`);
        }
      } else if (Array.isArray(v)) v.forEach((x, i) => walk(x, `${p}[${i}]`));
      else if (isObject(v)) for (const [k, x] of Object.entries(v)) walk(x, `${p}/${k}`);
    };
    walk(value, path);
  }

  private retriers(value: unknown, path: string): Retrier[] {
    if (value === undefined) return [];
    if (!Array.isArray(value)) {
      this.fail('SCHEMA_VALIDATION_FAILED', path, 'Retry must be an array');
      return [];
    }
    return value.flatMap((r, i): Retrier[] => {
      const rp = `${path}[${i}]`;
      if (!isObject(r) || !isStringArray(r.ErrorEquals) || r.ErrorEquals.length === 0) {
        this.fail('SCHEMA_VALIDATION_FAILED', rp, 'These fields are required: [ErrorEquals]');
        return [];
      }
      this.checkErrorEquals(r.ErrorEquals, `${rp}/ErrorEquals`, i, value.length, 'Retrier');
      const num = (f: string, dflt: number, check: (n: number) => boolean) => {
        if (r[f] === undefined) return dflt;
        if (typeof r[f] !== 'number' || !check(r[f] as number)) {
          this.fail('SCHEMA_VALIDATION_FAILED', `${rp}/${f}`, `Invalid value for '${f}'`);
          return dflt;
        }
        return r[f] as number;
      };
      return [
        {
          errorEquals: r.ErrorEquals,
          intervalSeconds: num('IntervalSeconds', 1, (n) => Number.isInteger(n) && n >= 1),
          maxAttempts: num('MaxAttempts', 3, (n) => Number.isInteger(n) && n >= 0),
          backoffRate: num('BackoffRate', 2, (n) => n >= 1),
          maxDelaySeconds: r.MaxDelaySeconds === undefined ? undefined : num('MaxDelaySeconds', 0, (n) => Number.isInteger(n) && n >= 1),
          jitterStrategy: r.JitterStrategy === 'FULL' ? 'FULL' : 'NONE',
        },
      ];
    });
  }

  private catchers(value: unknown, path: string, lang: QueryLanguage): Catcher[] {
    if (value === undefined) return [];
    if (!Array.isArray(value)) {
      this.fail('SCHEMA_VALIDATION_FAILED', path, 'Catch must be an array');
      return [];
    }
    return value.flatMap((c, i): Catcher[] => {
      const cp = `${path}[${i}]`;
      if (!isObject(c) || !isStringArray(c.ErrorEquals) || c.ErrorEquals.length === 0 || typeof c.Next !== 'string') {
        this.fail('SCHEMA_VALIDATION_FAILED', cp, 'These fields are required: [ErrorEquals, Next]');
        return [];
      }
      this.checkErrorEquals(c.ErrorEquals, `${cp}/ErrorEquals`, i, value.length, 'Catcher');
      if (lang === 'JSONata' && c.ResultPath !== undefined)
        this.fail('SCHEMA_VALIDATION_FAILED', `${cp}/ResultPath`, "The field 'ResultPath' is not supported for the JSONata query language");
      if (c.Output !== undefined) this.checkJsonata(c.Output, `${cp}/Output`);
      return [
        {
          errorEquals: c.ErrorEquals,
          next: c.Next,
          resultPath: this.resultPath(c, cp),
          assign: this.assign(c.Assign, `${cp}/Assign`, lang),
          output: c.Output,
        },
      ];
    });
  }

  /** States.ALL must appear alone and in the last Retrier/Catcher. */
  private checkErrorEquals(list: string[], path: string, index: number, count: number, what: string): void {
    if (list.includes('States.ALL') && (list.length > 1 || index !== count - 1)) {
      this.fail('SCHEMA_VALIDATION_FAILED', path, `States.ALL must appear alone in the last ${what}`);
    }
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}
function isStringArray(v: unknown): v is string[] {
  return Array.isArray(v) && v.every((x) => typeof x === 'string');
}
function isNonNegativeInteger(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0;
}
