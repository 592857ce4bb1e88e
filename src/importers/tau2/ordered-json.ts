/**
 * JSON.parse loses the order of keys that look like integers (JavaScript objects list them first,
 * ascending), and tau2's maps are keyed by numeric-looking ids whose order is part of the data.
 * This parser builds the same values as JSON.parse and remembers each object's keys as written.
 */
const order = new WeakMap<object, string[]>();

/** The keys of a parsed object in the order of the text (Object.keys for objects not parsed here). */
export function keysInOrder(obj: object): string[] {
  return order.get(obj) ?? Object.keys(obj);
}

const NUMBER = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?$/;

export function parseOrderedJson(text: string): unknown {
  let i = 0;
  const ws = () => {
    for (let c = text.charCodeAt(i); c === 32 || c === 10 || c === 13 || c === 9; c = text.charCodeAt(++i));
  };
  const fail = (what: string): never => {
    throw new SyntaxError(`${what} at position ${i}`);
  };
  const string = (): string => {
    const start = i++;
    let escaped = false;
    for (let c = text.charCodeAt(i); i < text.length && c !== 34; c = text.charCodeAt(i)) {
      if (c === 92) {
        escaped = true;
        i++;
      }
      i++;
    }
    if (i >= text.length) fail('Unterminated string');
    i++;
    // Most strings hold no escapes: slicing is much faster than parsing them.
    return escaped ? (JSON.parse(text.slice(start, i)) as string) : text.slice(start + 1, i - 1);
  };
  const value = (): unknown => {
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      const obj: Record<string, unknown> = {};
      const keys: string[] = [];
      ws();
      if (text[i] === '}') i++;
      else
        for (;;) {
          ws();
          if (text[i] !== '"') fail('Expected a key');
          const key = string();
          ws();
          if (text[i++] !== ':') fail("Expected ':'");
          if (!Object.hasOwn(obj, key)) keys.push(key);
          obj[key] = value();
          ws();
          if (text[i] === ',') i++;
          else if (text[i++] === '}') break;
          else fail("Expected ',' or '}'");
        }
      order.set(obj, keys);
      return obj;
    }
    if (c === '[') {
      i++;
      const arr: unknown[] = [];
      ws();
      if (text[i] === ']') i++;
      else
        for (;;) {
          arr.push(value());
          ws();
          if (text[i] === ',') i++;
          else if (text[i++] === ']') break;
          else fail("Expected ',' or ']'");
        }
      return arr;
    }
    if (c === '"') return string();
    const start = i;
    while (i < text.length && !',}] \n\r\t'.includes(text[i])) i++;
    if (start === i) fail('Unexpected end of JSON input');
    const literal = text.slice(start, i);
    if (literal === 'true' || literal === 'false' || literal === 'null') return literal === 'null' ? null : literal === 'true';
    if (!NUMBER.test(literal)) fail(`Unexpected token ${literal}`);
    return Number(literal);
  };
  const out = value();
  ws();
  if (i < text.length) fail('Unexpected text after the JSON value');
  return out;
}
