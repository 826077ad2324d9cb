/**
 * Ids that long-lived records keep (a stack's id, each of its events' ids), for fleets of 100,000
 * stacks: Node builds `randomUUID()` by concatenating cached hex pairs, so V8 holds the result as a
 * rope of about twenty pieces (about 490 bytes on the heap instead of about 70). Reading one of its
 * characters makes V8 flatten it in place, and the next garbage collection drops the pieces.
 */
import { randomUUID } from 'node:crypto';

/** A random UUID (RFC 4122 version 4) held as one flat string. */
export function flatRandomUUID(): string {
  const id = randomUUID();
  id.charCodeAt(0);
  return id;
}
