/**
 * The workflows of this folder: the one list, where each file is, and the one way to read one.
 *
 * A workflow is named by the stem of its file (`<stem>.asl.yaml`); infra keys its constructs by the
 * camelCase spelling. A test keeps this list and the folder's `*.asl.yaml` files equal.
 */
import { join } from 'node:path';
import { readDefinitionText } from '../emulator/asl/yaml';

/** Infra's name for each workflow (construct ids, `stack.workflows`) -> the stem of its file. */
export const WORKFLOW_FILES = {
  createTenant: 'create-tenant',
  deleteTenant: 'delete-tenant',
  updateTenants: 'update-tenants',
  updateTenant: 'update-tenant',
  stackEvents: 'stack-events',
  changeTier: 'change-tier',
} as const;
export type WorkflowName = keyof typeof WORKFLOW_FILES;
export type WorkflowFileName = (typeof WORKFLOW_FILES)[WorkflowName];

/** Every workflow, by file stem, in the order above. */
export const WORKFLOW_NAMES: readonly WorkflowFileName[] = Object.values(WORKFLOW_FILES);

export const STATEMACHINES_DIR = __dirname;
export const WORKFLOW_FILE_SUFFIX = '.asl.yaml';

export function workflowPath(name: WorkflowFileName): string {
  return join(STATEMACHINES_DIR, `${name}${WORKFLOW_FILE_SUFFIX}`);
}

/**
 * Workflow text (placeholders substituted or not) -> the definition object, read as the engine reads
 * it (see readDefinitionText: JSON types only). Throws naming `source` when the text is not YAML or
 * not a mapping.
 */
export function parseWorkflowText(text: string, source: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = readDefinitionText(text, source);
  } catch (error) {
    throw new Error(`${source}: not valid YAML: ${(error as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new Error(
      `${source}: must be a YAML mapping (a state machine definition), got ${Array.isArray(parsed) ? 'a list' : parsed === null ? 'null' : typeof parsed}`,
    );
  }
  return parsed as Record<string, unknown>;
}
