/**
 * The random source retry jitter draws from (`JitterStrategy: FULL` scales each delay by a draw in
 * [0, 1)). One seam so tests can pin the draws and assert exact delays.
 */
let source: () => number = Math.random;

/** A draw in [0, 1) from the current source. */
export function random(): number {
  return source();
}

/** Replaces the source (tests); returns a function that restores the previous one. */
export function setRandomSource(next: () => number): () => void {
  const previous = source;
  source = next;
  return () => {
    source = previous;
  };
}
