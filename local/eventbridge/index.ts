export {
  LocalEventBridge,
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
  type DeliveryShaping,
  type EventEnvelope,
  type TargetHandler,
  type TargetInvocation,
} from './delivery';
