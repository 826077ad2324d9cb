export {
  LocalEventBridge,
  isoSeconds,
  type LocalEventBridgeOptions,
  type AcceptedEvent,
  type RejectedEntry,
  type PutEventsEntryFault,
  type Target,
} from './service';
export {
  TargetError,
  type DeliveryRecord,
  type DeliveryOutcome,
  type EventEnvelope,
  type TargetHandler,
  type TargetInvocation,
} from './delivery';
export { EventPattern, EventPatternError, matchesEventPattern } from './pattern';
