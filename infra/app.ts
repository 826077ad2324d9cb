import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { TenantManagementStack } from './tenant-management-stack';

// Environment-agnostic: account and region come from the credentials `cdk deploy` runs with.
const app = new App();
new TenantManagementStack(app, 'TenantManagementStack', {
  description: 'Tenant provisioning: template bucket, tenant table, lifecycle bus and the tenant workflows',
});
// Any unacknowledged AwsSolutions finding fails synthesis.
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
app.synth();
