import { join } from 'node:path';
import { z } from 'zod';
import { DomainFile, SeedFile } from './domain.js';
import { PartitionPlan } from './plan.js';
import { TaskFile } from './task.js';
import { VerificationFile } from './verification.js';
import { writeFileAtomic } from '../util/files.js';

/** JSON Schemas derived from the zod formats, so editors (and other readers, like a plan viewer) validate the files. */
export function jsonSchemas(): Record<string, unknown> {
  const of = (schema: z.ZodType, title: string) => ({ title, ...z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) });
  return {
    'domain.schema.json': of(DomainFile, 'envscale domain.json'),
    'seed.schema.json': of(SeedFile, 'envscale seed.json'),
    'tasks.schema.json': of(TaskFile, 'envscale tasks.json'),
    'plan.schema.json': of(PartitionPlan, 'envscale plan.json'),
    'verification.schema.json': of(VerificationFile, 'envscale verification.json'),
  };
}

export function writeJsonSchemas(dir: string): string[] {
  return Object.entries(jsonSchemas()).map(([file, schema]) => {
    const path = join(dir, file);
    writeFileAtomic(path, `${JSON.stringify(schema, null, 2)}\n`);
    return path;
  });
}
