import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stage, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { TenantStack } from './tenant-stack';

/** A template parameter as CDK writes it (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/parameters-section-structure.html). */
export interface TemplateParameterJson {
  readonly Type: string;
  readonly AllowedPattern?: string;
  readonly MaxLength?: number;
  readonly MinLength?: number;
  readonly [property: string]: unknown;
}

/** The parsed template: the sections this project reads are typed, the rest stays `unknown`. */
export interface TemplateJson {
  readonly Parameters: Readonly<Record<string, TemplateParameterJson>>;
  readonly [section: string]: unknown;
}

export interface SynthesizedTenantTemplate {
  /** The template exactly as written to the stage's cloud assembly (what gets uploaded). */
  readonly body: string;
  /** The same, parsed. */
  readonly template: TemplateJson;
  /** Files the stage's assembly holds besides the template (kept for tests: no assets). */
  readonly assemblyFiles: readonly string[];
}

let cached: SynthesizedTenantTemplate | undefined;

/**
 * Synthesizes `TenantStack` inside its own `Stage` (under a private App writing to a throw-away directory) and returns
 * the template. cdk-nag AwsSolutions runs on the stage; a finding fails synthesis.
 *
 * The management stack uploads `body` as one S3 object: uploading the assembly directory would add
 * manifest and tree files, each firing its own S3 event and fleet update.
 */
export function synthesizeTenantTemplate(): SynthesizedTenantTemplate {
  if (cached) return cached;
  const outdir = mkdtempSync(join(tmpdir(), 'tenant-template-'));
  try {
    const app = new App({
      outdir,
      autoSynth: false,
      analyticsReporting: false,
      // postCliContext wins over context the CDK CLI passes in: no aws:cdk:path metadata in a
      // template that is deployed outside CDK.
      postCliContext: { 'aws:cdk:enable-path-metadata': false, 'aws:cdk:version-reporting': false },
    });
    const stage = new Stage(app, 'TenantTemplate');
    const stack = new TenantStack(stage, 'TenantStack');
    // Validation plugins run when the root synthesizes; a finding throws ValidationFailed.
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    app.synth();
    const assembly = stage.synth();
    const artifact = assembly.getStackArtifact(stack.artifactId);
    if (artifact.assets.length > 0) {
      throw new Error(`TenantStack must have no assets (BootstraplessSynthesizer cannot publish them); found ${artifact.assets.length}`);
    }
    const body = readFileSync(artifact.templateFullPath, 'utf8');
    cached = {
      body,
      template: JSON.parse(body) as TemplateJson,
      assemblyFiles: listFiles(assembly.directory),
    };
    return cached;
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

function listFiles(directory: string): string[] {
  return readdirSync(directory, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name).slice(directory.length + 1))
    .sort();
}
