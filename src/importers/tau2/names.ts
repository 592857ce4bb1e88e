import { join } from 'node:path';

/** The imported domain's name and where `import tau2` writes it (on the domain search path, ignored by git). */
export const TAU2_DOMAIN = 'tau2-retail';
export const DEFAULT_OUT = join('.envscale', 'domains', TAU2_DOMAIN);
/** What to tell a user whose command needs the imported domain. */
export const IMPORT_HINT = `run "npx envscale import tau2 <tau2-bench>/data/tau2/domains/retail" first (it writes ${DEFAULT_OUT})`;
