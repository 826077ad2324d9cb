/**
 * Version of the tenant template. Bump it on every change to `TenantStack`: the workflows record it
 * per tenant (read from the stack's `TemplateVersion` output), which is how an operator sees which
 * tenants run which template. `TEMPLATE_FINGERPRINT` is the SHA-256 of the synthesized template body;
 * a test recomputes it, so a changed template with an unchanged version fails the build.
 */
export const TEMPLATE_VERSION = '1.0.0';
export const TEMPLATE_FINGERPRINT = 'b6adcd81e36e3ceb3192a1845fb7cc070f698641784be4af5e43a0e3771f4602';
