/**
 * Synthesizes the CDK app the way `cdk synth` does: runs the `app` command of cdk.json with
 * CDK_OUTDIR pointing at a fresh temporary folder (and cdk.json's context in CDK_CONTEXT_JSON), then
 * reads the cloud assembly it wrote: the stack's template and its asset manifest.
 * https://docs.aws.amazon.com/cdk/v2/guide/apps.html (the CLI runs the app command, the app writes the assembly)
 *
 * The deployer reads everything it creates from here: nothing is hand-listed beside the template.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';

export const REPO_ROOT = join(__dirname, '..', '..');

export interface CloudAssembly {
  /** The folder holding manifest.json, the templates and the staged assets. */
  readonly directory: string;
  /** Reads one stack artifact of the assembly. */
  stack(stackName: string): SynthesizedStack;
}

export interface SynthesizedStack {
  readonly stackName: string;
  readonly template: CfnTemplate;
  /** Asset id -> absolute path of its staged source (a file or a folder), from the stack's asset manifest. */
  readonly assets: ReadonlyMap<string, { path: string; packaging: 'file' | 'zip' }>;
}

export interface CfnTemplate {
  Description?: string;
  Parameters?: Record<string, { Type: string; Default?: unknown; Description?: string }>;
  Conditions?: Record<string, unknown>;
  Resources: Record<string, CfnResource>;
  Outputs?: Record<string, { Value: unknown; Description?: string; Export?: unknown }>;
  Rules?: Record<string, unknown>;
}

export interface CfnResource {
  Type: string;
  Properties?: Record<string, unknown>;
  DependsOn?: string | string[];
  DeletionPolicy?: string;
  UpdateReplacePolicy?: string;
  Condition?: string;
  Metadata?: Record<string, unknown>;
}

export interface SynthOptions {
  /** Folder with cdk.json (default: the repository root). */
  readonly projectDir?: string;
  /**
   * Reuse an assembly synthesized from the same sources (keyed by a hash of every source file the app
   * can read: infra/, template/, statemachines/, emulator/, cdk.json, package-lock.json). Default true.
   */
  readonly cache?: boolean;
  /** Another app command than cdk.json's (a test app with other stack props, say). */
  readonly app?: string;
  /** Extra environment for the app (part of the cache key). */
  readonly env?: Readonly<Record<string, string>>;
  /** Extra files or folders the app reads (part of the cache key). */
  readonly sources?: readonly string[];
  /** Called with progress lines. */
  readonly log?: (line: string) => void;
}

const SOURCE_FOLDERS = ['infra', 'template', 'statemachines', 'emulator'];
const SOURCE_FILES = ['cdk.json', 'package-lock.json', 'tsconfig.json'];

/** Runs the app and returns its assembly (from the cache when the sources are unchanged). */
export async function synthesizeApp(options: SynthOptions = {}): Promise<CloudAssembly> {
  const projectDir = options.projectDir ?? REPO_ROOT;
  const cdkJson = JSON.parse(readFileSync(join(projectDir, 'cdk.json'), 'utf8')) as { app?: string; context?: Record<string, unknown> };
  const app = options.app ?? cdkJson.app;
  if (typeof app !== 'string' || app.length === 0) {
    throw new Error(`${join(projectDir, 'cdk.json')}: "app" must name the command that runs the CDK app`);
  }
  const useCache = options.cache ?? true;
  const key = `${app}\0${JSON.stringify(options.env ?? {})}`;
  const cacheDir = join(tmpdir(), `tenant-cloud-assembly-${sourceHash(projectDir, key, options.sources ?? [])}`);
  if (useCache && existsSync(join(cacheDir, 'manifest.json'))) {
    options.log?.(`CDK app unchanged since the last synthesis; using ${cacheDir}`);
    return openAssembly(cacheDir);
  }
  // One synthesis per source state at a time (parallel test workers): the others wait for its result.
  const lock = useCache ? await acquireLock(`${cacheDir}.lock`, join(cacheDir, 'manifest.json')) : undefined;
  if (lock === 'ready') return openAssembly(cacheDir);
  const locked = lock === 'locked';
  try {
    return await synthesizeInto(projectDir, app, cdkJson.context ?? {}, options, useCache ? cacheDir : undefined);
  } finally {
    if (locked) rmSync(`${cacheDir}.lock`, { force: true });
  }
}

async function synthesizeInto(
  projectDir: string,
  app: string,
  context: Record<string, unknown>,
  options: SynthOptions,
  cacheDir: string | undefined,
): Promise<CloudAssembly> {
  const outdir = mkdtempSync(join(tmpdir(), 'tenant-cloud-synth-'));
  options.log?.(`synthesizing the CDK app (${app}) into ${outdir}`);
  await run(app, projectDir, {
    ...process.env,
    ...options.env,
    CDK_OUTDIR: outdir,
    CDK_CONTEXT_JSON: JSON.stringify(context),
  });
  if (!existsSync(join(outdir, 'manifest.json'))) throw new Error(`the CDK app (${app}) wrote no cloud assembly to ${outdir}`);
  if (!cacheDir) return openAssembly(outdir);
  // Publish atomically: a concurrent synthesis of the same sources wins or loses the rename as a whole.
  const staging = `${cacheDir}.${process.pid}.${Date.now()}`;
  cpSync(outdir, staging, { recursive: true });
  rmSync(outdir, { recursive: true, force: true });
  try {
    renameSync(staging, cacheDir);
  } catch {
    rmSync(staging, { recursive: true, force: true }); // another process published it first
  }
  return openAssembly(cacheDir);
}

/** Opens an assembly folder that `cdk synth` (or synthesizeApp) wrote. */
export function openAssembly(directory: string): CloudAssembly {
  const manifest = JSON.parse(readFileSync(join(directory, 'manifest.json'), 'utf8')) as {
    artifacts?: Record<string, { type: string; properties?: { templateFile?: string; file?: string }; displayName?: string }>;
  };
  const artifacts = manifest.artifacts ?? {};
  return {
    directory,
    stack(stackName: string): SynthesizedStack {
      const artifact = artifacts[stackName];
      if (!artifact || artifact.type !== 'aws:cloudformation:stack' || !artifact.properties?.templateFile) {
        const stacks = Object.entries(artifacts)
          .filter(([, a]) => a.type === 'aws:cloudformation:stack')
          .map(([id]) => id);
        throw new Error(`the cloud assembly in ${directory} has no stack '${stackName}' (stacks: ${stacks.join(', ') || 'none'})`);
      }
      const template = JSON.parse(readFileSync(join(directory, artifact.properties.templateFile), 'utf8')) as CfnTemplate;
      const assets = new Map<string, { path: string; packaging: 'file' | 'zip' }>();
      for (const a of Object.values(artifacts)) {
        if (a.type !== 'cdk:asset-manifest' || !a.properties?.file) continue;
        const assetManifest = JSON.parse(readFileSync(join(directory, a.properties.file), 'utf8')) as {
          files?: Record<string, { source: { path: string; packaging?: 'file' | 'zip' } }>;
        };
        for (const [id, file] of Object.entries(assetManifest.files ?? {})) {
          assets.set(id, { path: join(directory, file.source.path), packaging: file.source.packaging ?? 'file' });
        }
      }
      return { stackName, template, assets };
    },
  };
}

/** Creates the lock file, or waits until `ready` exists ('ready') or the lock is gone or stale (then takes it). */
async function acquireLock(lockPath: string, ready: string): Promise<'locked' | 'ready'> {
  for (;;) {
    try {
      writeFileSync(lockPath, String(process.pid), { flag: 'wx' });
      if (!existsSync(ready)) return 'locked';
      rmSync(lockPath, { force: true }); // published while we waited for the lock
      return 'ready';
    } catch {
      if (existsSync(ready)) return 'ready';
      try {
        if (Date.now() - statSync(lockPath).mtimeMs > 180_000) rmSync(lockPath, { force: true }); // a synthesis that died
      } catch {
        /* the lock just went away */
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}

function run(command: string, cwd: string, env: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, { cwd, env, shell: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve() : reject(new Error(`the CDK app (${command}) exited with code ${code}:\n${output.trim().slice(-4000)}`)),
    );
  });
}

function sourceHash(projectDir: string, appKey: string, extra: readonly string[]): string {
  const hash = createHash('sha256').update(appKey).update('\0');
  const files: string[] = [];
  for (const folder of [...SOURCE_FOLDERS, ...extra]) collect(join(projectDir, folder), files);
  for (const file of SOURCE_FILES) if (existsSync(join(projectDir, file))) files.push(join(projectDir, file));
  for (const file of files.sort()) {
    hash.update(relative(projectDir, file)).update('\0').update(readFileSync(file)).update('\0');
  }
  return hash.digest('hex').slice(0, 20);
}

function collect(path: string, into: string[]): void {
  if (!existsSync(path)) return;
  if (!statSync(path).isDirectory()) {
    into.push(path);
    return;
  }
  for (const entry of readdirSync(path)) {
    const full = join(path, entry);
    if (statSync(full).isDirectory()) collect(full, into);
    else into.push(full);
  }
}
