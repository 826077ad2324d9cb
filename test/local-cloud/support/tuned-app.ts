/**
 * The management stack with other workflow tuning (small pages, few pages per execution), for the
 * fleet tests: the same CDK code as infra/app.ts, other props, deployed the same way. The tuning is
 * read from TUNED_APP_WORKFLOW_TUNING (JSON, a Partial<WorkflowTuning>).
 */
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { TenantManagementStack } from '../../../infra/tenant-management-stack';

const tuning = JSON.parse(process.env.TUNED_APP_WORKFLOW_TUNING ?? '{}');
const app = new App();
new TenantManagementStack(app, 'TenantManagementStack', { workflowTuning: tuning });
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
app.synth();
