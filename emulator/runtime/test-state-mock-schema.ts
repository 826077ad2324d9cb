export function validateMockResult(_resource: string, _value: unknown, _mode: string): string | undefined {
  return undefined;
}
