/**
 * JSON text as Python's json.dumps writes it, so an exported state can be compared with tau2's
 * files byte for byte: ", " and ": " separators, non-ASCII escaped, and floats as Python's repr
 * ("99.0", "1e+16"). JavaScript numbers do not say whether they were floats, so floats are wrapped;
 * and JavaScript objects put integer-like keys first, so maps keyed by ids are Maps.
 */
export class PyFloat {
  constructor(readonly value: number) {}
}

export type PyJson = null | boolean | number | string | PyFloat | PyJson[] | Map<string, PyJson> | { [key: string]: PyJson };

/** Python's repr of a float: the shortest round-trip digits, fixed notation for exponents -4..15. */
export function pyFloatRepr(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? 'Infinity' : '-Infinity';
  if (v === 0) return Object.is(v, -0) ? '-0.0' : '0.0';
  const sign = v < 0 ? '-' : '';
  const [mantissa, expText] = Math.abs(v).toExponential().split('e');
  const digits = mantissa.replace('.', '');
  const exp = Number(expText);
  if (exp < -4 || exp >= 16) {
    const m = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    return `${sign}${m}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  }
  if (exp < 0) return `${sign}0.${'0'.repeat(-exp - 1)}${digits}`;
  if (digits.length <= exp + 1) return `${sign}${digits}${'0'.repeat(exp + 1 - digits.length)}.0`;
  return `${sign}${digits.slice(0, exp + 1)}.${digits.slice(exp + 1)}`;
}

/** A string literal with ensure_ascii, as Python escapes it: JSON's escapes, and \uXXXX for all beyond "~". */
function pyString(s: string): string {
  return JSON.stringify(s).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** json.dumps(value) (indent undefined) or json.dumps(value, indent=n). */
export function pyDumps(value: PyJson, indent?: number, depth = 0): string {
  if (value === null) return 'null';
  if (value instanceof PyFloat) return pyFloatRepr(value.value);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : pyFloatRepr(value);
  if (typeof value === 'string') return pyString(value);
  const entries: string[] = Array.isArray(value)
    ? value.map((v) => pyDumps(v, indent, depth + 1))
    : [...(value instanceof Map ? value : Object.entries(value))].map(([k, v]) => `${pyString(k)}: ${pyDumps(v, indent, depth + 1)}`);
  const [open, close] = Array.isArray(value) ? ['[', ']'] : ['{', '}'];
  if (entries.length === 0) return open + close;
  if (indent === undefined) return open + entries.join(', ') + close;
  const inner = '\n' + ' '.repeat(indent * (depth + 1));
  return open + inner + entries.join(',' + inner) + '\n' + ' '.repeat(indent * depth) + close;
}
