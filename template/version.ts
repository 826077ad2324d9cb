/**
 * Version of the tenant template. Bump it on every change to `TenantStack`: the workflows record it
 * per tenant (read from the stack's `TemplateVersion` output), which is how an operator sees which
 * tenants run which template. `TEMPLATE_FINGERPRINT` is the SHA-256 of the synthesized template body;
 * a test recomputes it, so a changed template with an unchanged version fails the build.
 */
export const TEMPLATE_VERSION = '1.0.0';
export const TEMPLATE_FINGERPRINT = '4f1b00a263ae1d8b73b813456486ba6b611af7bfb7b8b78fa9a90cc319e70da8';
