/**
 * dynalite keeps a table's items in memory-level (an in-memory abstract-level store) as Buffers. The
 * small Buffers Node makes (Buffer.from, Buffer.allocUnsafe under 4 KiB) are slices of a shared 8 KiB
 * pool slab (https://nodejs.org/api/buffer.html#static-method-bufferallocunsafesize), so every item
 * the store keeps pins a whole slab outside the V8 heap: at 20,000 tenants of the fleet bench that was
 * about 220 MiB of RSS for a few MiB of items. This copies the keys and values memory-level stores
 * into Buffers of their own size (Buffer.allocUnsafeSlow), by wrapping its `_put` and `_batch` at load
 * time (nothing in node_modules is edited). Same bytes, same order: only where they live changes.
 */
type Operation = { type: 'put' | 'del'; key: unknown; value?: unknown };
interface StorePrototype {
  _put(key: unknown, value: unknown, options: unknown): Promise<void>;
  _batch(operations: Operation[], options: unknown): Promise<void>;
}

const WRAPPED = Symbol.for('tenant-cloud.ownedStoreBuffers');

/** A Buffer that shares a larger ArrayBuffer (a pool slice) copied into one of its own; anything else as is. */
export function ownBuffer<T>(value: T): T {
  if (!Buffer.isBuffer(value) || value.buffer.byteLength === value.length) return value;
  const copy = Buffer.allocUnsafeSlow(value.length);
  value.copy(copy);
  return copy as T;
}

export function installOwnedStoreBuffers(): void {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- memory-level is dynalite's store, loaded as dynalite loads it
  const { MemoryLevel } = require('memory-level') as { MemoryLevel: { prototype: StorePrototype & { [WRAPPED]?: true } } };
  const proto = MemoryLevel.prototype;
  if (proto[WRAPPED]) return;
  const put = proto._put;
  const batch = proto._batch;
  proto._put = function (key, value, options) {
    return put.call(this, ownBuffer(key), ownBuffer(value), options);
  };
  proto._batch = function (operations, options) {
    const owned = operations.map((op) => (op.type === 'put' ? { ...op, key: ownBuffer(op.key), value: ownBuffer(op.value) } : op));
    return batch.call(this, owned, options);
  };
  proto[WRAPPED] = true;
}
