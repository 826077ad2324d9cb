/**
 * Limits on the JSON values an execution carries.
 *
 * Size: 256 KiB of UTF-8 per payload (input, output, state data), as AWS documents
 * (https://docs.aws.amazon.com/step-functions/latest/dg/service-quotas.html); checked where a payload's
 * text is made (history.ts `checkedPayloadText`).
 *
 * Depth: AWS documents no nesting limit. The engine sets one, because every recursive step over a
 * value (copies, templates, JSON text) costs stack: a loop that wraps its own payload (`Parameters:
 * {"a.$": "$"}`, a Parallel whose Next is itself) overflowed the stack after seconds of quadratic
 * work. 1,000 levels is far beyond real payloads (and the common default of Java JSON parsers).
 */
export const MAX_PAYLOAD_DEPTH = 1000;

/**
 * Does this JSON text nest objects and arrays deeper than `max`? One pass over the characters, only
 * for texts long enough to nest that deep (each level takes at least two characters).
 */
export function jsonTextTooDeep(text: string, max = MAX_PAYLOAD_DEPTH): boolean {
  if (text.length <= 2 * max) return false;
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */) {
      // Skip the string literal (escapes included).
      for (i++; i < text.length; i++) {
        const d = text.charCodeAt(i);
        if (d === 0x5c /* \ */) i++;
        else if (d === 0x22) break;
      }
    } else if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      if (++depth > max) return true;
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) depth--;
  }
  return false;
}
