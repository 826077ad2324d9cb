/** The workflow files in this folder, by the stem of their name (`<stem>.asl.yaml`). */
import { join } from 'node:path';

export const WORKFLOW_NAMES = ['create-tenant', 'delete-tenant', 'update-tenants', 'update-tenant'] as const;
export type WorkflowFileName = (typeof WORKFLOW_NAMES)[number];

export const STATEMACHINES_DIR = __dirname;

export function workflowPath(name: WorkflowFileName): string {
  return join(STATEMACHINES_DIR, `${name}.asl.yaml`);
}
