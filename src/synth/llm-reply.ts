import type { z } from 'zod';

/**
 * Reading a model's JSON reply. Endpoints without JSON mode wrap objects in prose or markdown
 * fences, so the object is looked for in the whole text, then in a fenced block, then between
 * the first `{` and the last `}`.
 */
export function parseJsonObject(text: string): { value: Record<string, unknown> } | { problem: string } {
  const fenced = /```(?:json)?\s*\n([\s\S]*?)```/i.exec(text)?.[1];
  const start = text.indexOf('{');
  const end = text.lastIndexOf('}');
  const candidates = [text.trim(), fenced, start >= 0 && end > start ? text.slice(start, end + 1) : undefined];
  let firstError = '';
  for (const candidate of candidates) {
    if (!candidate) continue;
    try {
      const value: unknown = JSON.parse(candidate);
      if (typeof value === 'object' && value !== null && !Array.isArray(value)) return { value: value as Record<string, unknown> };
      firstError ||= `it is ${Array.isArray(value) ? 'an array' : typeof value}`;
    } catch (err) {
      firstError ||= (err as Error).message;
    }
  }
  const shown = text.trim().slice(0, 80).replace(/\s+/g, ' ');
  return { problem: `The reply is not a JSON object (${firstError || 'it is empty'}); it starts with "${shown}".` };
}

/** Schema issues as sentences a model can act on, at most `max` of them. */
export function zodProblems(error: z.ZodError, max = 12): string[] {
  const lines = error.issues.slice(0, max).map((i) => `at ${i.path.length > 0 ? i.path.map(String).join('.') : 'the top level'}: ${i.message}`);
  if (error.issues.length > max) lines.push(`and ${error.issues.length - max} more schema problems`);
  return lines;
}
