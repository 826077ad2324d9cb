/**
 * dynalite reads Scan and Query answers from streams over memory-level iterators, and ends them with
 * `stream.destroy()`, whose clean-up calls `iterator.return()` when the iterator has one. abstract-level
 * iterators have no `return` (they are closed with `close()`), so dynalite never closes them: each one
 * stays in its store's open resources and holds on to the version of the store's tree it started
 * from. Over a fleet rollout's thousands of Scan pages, every pinned version kept the items each later
 * write replaced (13 MiB of 22 MiB of dynalite's heap at 6,000 tenants of the fleet bench).
 *
 * This gives abstract-level's iterators a `return()` that closes them, at load time (nothing in
 * node_modules is edited). Closing is what abstract-level asks of every iterator once it is no longer
 * read (https://github.com/Level/abstract-level#iteratorclose).
 */
import { dirname } from 'node:path';

interface IteratorClass {
  prototype: { close(): Promise<void>; return?: () => Promise<{ done: true; value: undefined }> };
}

const WRAPPED = Symbol.for('tenant-cloud.closedStoreIterators');

export function installClosedStoreIterators(): void {
  // The abstract-level that memory-level (dynalite's store) extends, resolved from memory-level itself.
  const from = dirname(require.resolve('memory-level'));
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded as memory-level loads it
  const level = require(require.resolve('abstract-level', { paths: [from] })) as Record<string, IteratorClass> & { [WRAPPED]?: true };
  if (level[WRAPPED]) return;
  for (const name of ['AbstractIterator', 'AbstractKeyIterator', 'AbstractValueIterator']) {
    const proto = level[name].prototype;
    if (proto.return) continue;
    proto.return = async function (this: { close(): Promise<void> }) {
      await this.close();
      return { done: true, value: undefined };
    };
  }
  level[WRAPPED] = true;
}
