/** A small SQLite tokenizer: enough to find keywords, identifiers, parameters and string literals. */
export type Token =
  | { kind: 'word'; text: string }
  | { kind: 'ident'; text: string }
  | { kind: 'string'; text: string }
  | { kind: 'param'; text: string }
  | { kind: 'number'; text: string }
  | { kind: 'punct'; text: string };

const WORD = /[A-Za-z_\u0080-\uffff][A-Za-z0-9_$\u0080-\uffff]*/y;
const NUMBER = /(?:0x[0-9a-fA-F]+|(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)/y;
const PARAM = /[:@$][A-Za-z0-9_]+|\?\d*/y;

export function tokenize(sql: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const at = (re: RegExp) => {
    re.lastIndex = i;
    const m = re.exec(sql);
    return m ? m[0] : null;
  };
  while (i < sql.length) {
    const c = sql[i];
    if (/\s/.test(c)) {
      i++;
    } else if (c === '-' && sql[i + 1] === '-') {
      const end = sql.indexOf('\n', i);
      i = end < 0 ? sql.length : end + 1;
    } else if (c === '/' && sql[i + 1] === '*') {
      const end = sql.indexOf('*/', i + 2);
      i = end < 0 ? sql.length : end + 2;
    } else if (c === "'" || c === '"' || c === '`' || c === '[') {
      const close = c === '[' ? ']' : c;
      let j = i + 1;
      let text = '';
      for (;;) {
        if (j >= sql.length) throw new Error('unterminated quote');
        if (sql[j] === close) {
          if (close !== ']' && sql[j + 1] === close) {
            text += close;
            j += 2;
            continue;
          }
          break;
        }
        text += sql[j++];
      }
      tokens.push({ kind: c === "'" ? 'string' : 'ident', text });
      i = j + 1;
    } else {
      const param = at(PARAM);
      if (param) {
        tokens.push({ kind: 'param', text: param });
        i += param.length;
        continue;
      }
      const word = at(WORD);
      if (word) {
        tokens.push({ kind: 'word', text: word });
        i += word.length;
        continue;
      }
      const num = at(NUMBER);
      if (num) {
        tokens.push({ kind: 'number', text: num });
        i += num.length;
        continue;
      }
      tokens.push({ kind: 'punct', text: c });
      i++;
    }
  }
  return tokens;
}

/** Named parameters used by a statement, without their prefix, in first-use order. */
export function namedParameters(tokens: Token[]): string[] {
  const names = new Set<string>();
  for (const t of tokens) if (t.kind === 'param' && t.text[0] !== '?') names.add(t.text.slice(1));
  return [...names];
}
