import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, CfnElement } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import { Template } from 'aws-cdk-lib/assertions';
import { TenantManagementStack, TenantManagementStackProps } from '../../../infra/tenant-management-stack';
import type { WorkflowName } from '../../../statemachines/workflows';
import { DeployedTemplate, type Json } from './deployed-template';

const STACK_NAME = 'TenantManagementStack';

export interface SynthesizedApp {
  readonly stack: TenantManagementStack;
  readonly template: Template;
  readonly deployed: DeployedTemplate;
  readonly logicalId: (construct: IConstruct) => string;
  readonly stateMachineId: (name: WorkflowName) => string;
  readonly cleanup: () => void;
}

/** Synthesizes the management stack into a throw-away cloud assembly. */
export function synthesizeApp(props: TenantManagementStackProps = {}): SynthesizedApp {
  const outdir = mkdtempSync(join(tmpdir(), 'tenant-mgmt-test-'));
  const app = new App({ outdir });
  const stack = new TenantManagementStack(app, STACK_NAME, props);
  const template = Template.fromStack(stack);
  const deployed = new DeployedTemplate(template.toJSON(), { stackName: STACK_NAME });
  const logicalId = (construct: IConstruct) => stack.getLogicalId((construct.node.defaultChild ?? construct) as CfnElement);
  return {
    stack,
    template,
    deployed,
    logicalId,
    stateMachineId: (name) => logicalId(stack.workflows[name].stateMachine),
    cleanup: () => rmSync(outdir, { recursive: true, force: true }),
  };
}

/**
 * The definition Step Functions receives for a synthesized state machine: DefinitionString with its
 * intrinsics resolved and each `${Key}` replaced textually by its DefinitionSubstitutions value, as
 * CloudFormation does (https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-stepfunctions-statemachine.html).
 */
export function deployedDefinition(deployed: DeployedTemplate, stateMachineId: string): Json {
  const properties = deployed.resources[stateMachineId].Properties;
  const text: string = deployed.resolve(properties.DefinitionString);
  const values: Record<string, string> = deployed.resolve(properties.DefinitionSubstitutions ?? {});
  const substituted = text.replace(/\$\{([A-Za-z0-9_]+)\}/g, (match, key: string) => {
    if (!(key in values)) throw new Error(`${stateMachineId}: no DefinitionSubstitutions value for ${match}`);
    return values[key];
  });
  return JSON.parse(substituted);
}
