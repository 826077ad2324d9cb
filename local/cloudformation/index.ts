/** The local CloudFormation: see local-cloudformation.ts. */
export { LocalCloudFormation, type LocalCloudFormationOptions, type SeedStack } from './local-cloudformation';
export {
  ASSUMED_API_RATE_LIMITS,
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
export { RecordedResourceProvider, recordedTenantStackProviders, type RecordedResourceOptions } from './providers/recorded';
export type { IamRegistry, ManagedPolicyEntry, RoleEntry } from './providers/iam-registry';
export type { StackEvent, StackRecord, StackStatus, ResourceRecord } from './stack-model';
