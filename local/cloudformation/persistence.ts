/**
 * The local CloudFormation's state on disk (with `dataDir`): one JSON file per stack
 * (`stacks/<stack uuid>.json`: status, deployments, resources, events, template), the IAM registry
 * (`iam.json`) and the ClientRequestToken ledger (`tokens.json`). Each file is written atomically
 * (temporary file, then rename), so a crash leaves the previous version, never half a file.
 */
import { mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import type { IamSnapshot } from './providers/iam-registry';
import type { StackRecord } from './stack-model';

export interface TokenEntry {
  readonly token: string;
  readonly action: string;
  readonly stackName: string;
  /** A digest of what made the request (its decoded parameters): a different request with the same token is refused. */
  readonly fingerprint: string;
  readonly stackId: string;
}

export class StatePersistence {
  private readonly stacksDir: string;

  constructor(private readonly dataDir: string) {
    this.stacksDir = join(dataDir, 'stacks');
    mkdirSync(this.stacksDir, { recursive: true });
  }

  loadStacks(): StackRecord[] {
    return readdirSync(this.stacksDir)
      .filter((f) => f.endsWith('.json'))
      .map((f) => JSON.parse(readFileSync(join(this.stacksDir, f), 'utf8')) as StackRecord);
  }

  saveStack(stack: StackRecord): void {
    writeAtomically(join(this.stacksDir, `${stackUuid(stack.stackId)}.json`), JSON.stringify(stack));
  }

  loadIam(): IamSnapshot | undefined {
    return readJson(join(this.dataDir, 'iam.json'));
  }

  saveIam(snapshot: IamSnapshot): void {
    writeAtomically(join(this.dataDir, 'iam.json'), JSON.stringify(snapshot));
  }

  loadTokens(): TokenEntry[] {
    return readJson(join(this.dataDir, 'tokens.json')) ?? [];
  }

  saveTokens(tokens: readonly TokenEntry[]): void {
    writeAtomically(join(this.dataDir, 'tokens.json'), JSON.stringify(tokens));
  }
}

function stackUuid(stackId: string): string {
  return stackId.split('/').pop()!;
}

function readJson<T>(path: string): T | undefined {
  return existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as T) : undefined;
}

let sequence = 0;

function writeAtomically(path: string, text: string): void {
  const temporary = `${path}.${process.pid}.${sequence++}.tmp`;
  writeFileSync(temporary, text);
  renameSync(temporary, path);
}
