import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { TenantManagementStack } from './tenant-management-stack';
import { TENANT_CELLS, cellsFromEnvironment, validateCells } from './config';
import { TenantCellStack } from './cell-stack';
import { TEMPLATE_OBJECT_KEY } from '../statemachines/contract';

// Environment-agnostic: account and region come from the credentials `cdk deploy` runs with.
const app = new App();
const cells = cellsFromEnvironment(process.env.TENANT_CELLS);
new TenantManagementStack(app, 'TenantManagementStack', {
  description: 'Tenant provisioning: template bucket, tenant table, lifecycle bus and the tenant workflows',
  // TENANT_CELLS (a JSON list of cells) overrides TENANT_CELLS of infra/config.ts (the local cloud's two cells use it).
  cells,
});
// One stack per cell, in the cell's account, once the management stack exists: `cdk deploy -c
// managementAccount=<id> -c templateBucketName=<TemplateBucketName output> TenantCell-<name>`.
const managementAccount: unknown = app.node.tryGetContext('managementAccount');
const templateBucketName: unknown = app.node.tryGetContext('templateBucketName');
if (typeof managementAccount === 'string' && typeof templateBucketName === 'string') {
  for (const cell of validateCells(cells ?? TENANT_CELLS)) {
    new TenantCellStack(app, `TenantCell-${cell.name}`, {
      env: { account: cell.accountId, region: cell.region },
      description: `Tenant cell ${cell.name}: the deployer role the tenant workflows assume, the tenant app boundary, stack events to the management account`,
      managementAccount,
      templateObjectArn: `arn:aws:s3:::${templateBucketName}/${TEMPLATE_OBJECT_KEY}`,
    });
  }
}
// Any unacknowledged AwsSolutions finding fails synthesis.
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
app.synth();
