import type { DomainModel } from './model.js';

/** The policy shown to agents: what the domain holds and what each write does, in plain words. */
export function writePolicy(title: string, description: string, model: DomainModel): string {
  const entities = model.tables
    .filter((t) => !t.ledger)
    .map((t) => {
      const refs = [...t.columns.values()].filter((c) => c.references).map((c) => `${c.name} -> ${c.references}`);
      return `- **${t.name}** (key \`${t.pk}\`)${refs.length > 0 ? `; refers to ${refs.join(', ')}` : ''}`;
    });
  const effect = (op: string, table: string): string =>
    ({
      create: `adds a row to ${table}`,
      update: `changes a row of ${table}`,
      delete: `removes rows from ${table}`,
      action: `checks the rows it names and records the act in ${model.ledger}`,
    })[op] ?? '';
  const writes = model.tools.filter((p) => p.cls.kind === 'write').map((p) => `- \`${p.tool.name}\` ${effect(p.cls.op, p.table)}${p.cls.status ? ` (status becomes "${p.cls.status}")` : ''}.`);
  return [
    `# ${title}`,
    '',
    description,
    '',
    '## Entities',
    '',
    ...entities,
    '',
    '## What changes state',
    '',
    ...(writes.length > 0 ? writes : ['Nothing: every tool of this domain only reads.']),
    '',
    '## Rules',
    '',
    '- Use ids exactly as tools return them; do not guess ids.',
    '- A tool that names a missing row fails with an error and changes nothing.',
    '- Confirm with the user before any change that cannot be undone (deletions, payments, sending).',
    '',
  ].join('\n');
}
