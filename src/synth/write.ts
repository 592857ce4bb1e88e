import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DomainSpec } from '../spec/domain.js';
import { messageOf, UserError } from '../util/errors.js';
import type { ToolVerdict } from '../spec/verification.js';

const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

/** The files of a domain folder, byte for byte: same spec and verdicts, same bytes. */
export function domainFiles(spec: DomainSpec, verdicts: ToolVerdict[]): Record<string, string> {
  const { policy, seed, ...file } = spec;
  return {
    'domain.json': json(file),
    'seed.json': json(seed),
    'policy.md': policy.endsWith('\n') ? policy : `${policy}\n`,
    'verification.json': json({ tools: verdicts }),
  };
}

/**
 * Write `<out>/<name>/` so that readers see the old folder or the new one, never half of one:
 * the files go to a temporary folder beside it, which then replaces the old folder by rename.
 */
export function writeDomainFolder(out: string, spec: DomainSpec, verdicts: ToolVerdict[]): string {
  const target = join(out, spec.name);
  const tmp = join(out, `.${spec.name}.tmp-${process.pid}`);
  const old = join(out, `.${spec.name}.old-${process.pid}`);
  try {
    mkdirSync(out, { recursive: true });
    rmSync(tmp, { recursive: true, force: true });
    mkdirSync(tmp);
    for (const [name, text] of Object.entries(domainFiles(spec, verdicts))) writeFileSync(join(tmp, name), text);
    if (existsSync(target)) renameSync(target, old);
    renameSync(tmp, target);
    rmSync(old, { recursive: true, force: true });
    return target;
  } catch (err) {
    rmSync(tmp, { recursive: true, force: true });
    if (!existsSync(target) && existsSync(old)) renameSync(old, target);
    throw new UserError(`Cannot write the domain folder ${target}: ${messageOf(err)}.`);
  }
}
