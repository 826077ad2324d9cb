import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { TenantManagementStack } from './tenant-management-stack';
import { cellsFromEnvironment } from './config';

// Environment-agnostic: account and region come from the credentials `cdk deploy` runs with.
const app = new App();
new TenantManagementStack(app, 'TenantManagementStack', {
  description: 'Tenant provisioning: template bucket, tenant table, lifecycle bus and the tenant workflows',
  // TENANT_CELLS (a JSON list of cells) overrides TENANT_CELLS of infra/config.ts (the local cloud's two cells use it).
  cells: cellsFromEnvironment(process.env.TENANT_CELLS),
});
// Any unacknowledged AwsSolutions finding fails synthesis.
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
app.synth();
