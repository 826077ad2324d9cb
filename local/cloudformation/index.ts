/** The local CloudFormation: see local-cloudformation.ts. */
export { LocalCloudFormation, type LocalCloudFormationOptions } from './local-cloudformation';
export {
  BehaviourController,
  DEFAULT_LIMITS,
  type AccountLimits,
  type CloudFormationBehaviour,
  type Duration,
  type RateLimit,
  type StackBehaviourRule,
  type StackOperationKind,
  type ThrottleRule,
} from './behaviour';
export { handlerError, ProviderError, type ProviderContext, type Provisioned, type ResourceProvider } from './providers/provider';
export { RecordedResourceProvider, type RecordedResourceOptions } from './providers/recorded';
export type { IamRegistry, ManagedPolicyEntry, RoleEntry } from './providers/iam-registry';
export type { StackEvent, StackRecord, StackStatus, ResourceRecord } from './stack-model';
