/**
 * Version of the tenant template. Bump it on every change to `TenantStack`: the workflows record it
 * per tenant (read from the stack's `TemplateVersion` output), which is how an operator sees which
 * tenants run which template. `TEMPLATE_FINGERPRINT` is the SHA-256 of the synthesized template body;
 * a test recomputes it, so a changed template with an unchanged version fails the build.
 */
export const TEMPLATE_VERSION = '1.3.0';
export const TEMPLATE_FINGERPRINT = '97165a0ad2d480958fd97838133dbdacfd4badc571b2ff3be6a72cfd7d9d41fd';
