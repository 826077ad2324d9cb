/**
 * Version of the tenant template. Bump it on every change to `TenantStack`: the workflows record it
 * per tenant (read from the stack's `TemplateVersion` output), which is how an operator sees which
 * tenants run which template. `TEMPLATE_FINGERPRINT` is the SHA-256 of the synthesized template body;
 * a test recomputes it, so a changed template with an unchanged version fails the build.
 */
export const TEMPLATE_VERSION = '1.1.0';
export const TEMPLATE_FINGERPRINT = 'ae105b19c77ebee3817f427229d53bc6ec1640c0d42075ee8933e5a9e4758712';
