/**
 * Workflow variables (Assign). A Map iteration or Parallel branch gets a child scope: it reads the outer
 * variables but its own assignments stay inside it.
 * https://docs.aws.amazon.com/step-functions/latest/dg/workflow-variables.html#variable-scope
 */
export class VariableScope {
  /** Created on the first assignment: most Map iterations and branches never assign. */
  private values?: Map<string, unknown>;

  constructor(readonly parent?: VariableScope) {}

  has(name: string): boolean {
    return (this.values?.has(name) ?? false) || (this.parent?.has(name) ?? false);
  }

  get(name: string): unknown {
    if (this.values?.has(name)) return this.values.get(name);
    return this.parent?.get(name);
  }

  set(name: string, value: unknown): void {
    (this.values ??= new Map()).set(name, value);
  }

  /** Every visible variable as a plain object (inner scopes shadow outer ones), for JSONata bindings. */
  toBindings(): Record<string, unknown> {
    const out: Record<string, unknown> = this.parent ? this.parent.toBindings() : {};
    if (this.values) for (const [k, v] of this.values) out[k] = v;
    return out;
  }

  isEmpty(): boolean {
    return (this.values?.size ?? 0) === 0 && (this.parent?.isEmpty() ?? true);
  }
}
