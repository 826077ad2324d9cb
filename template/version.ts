/**
 * Version of the tenant template. Bump it on every change to `TenantStack`: the workflows record it
 * per tenant (read from the stack's `TemplateVersion` output), which is how an operator sees which
 * tenants run which template. `TEMPLATE_FINGERPRINT` is the SHA-256 of the synthesized template body;
 * a test recomputes it, so a changed template with an unchanged version fails the build.
 */
export const TEMPLATE_VERSION = '1.2.0';
export const TEMPLATE_FINGERPRINT = 'ad220e58e637c0967ed4f0d47f70022c27e9618b94a2fa22378ab6099e411fe6';
