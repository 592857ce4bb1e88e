/**
 * What the consumers of envscale's exports accept, written from their documentation and loaders,
 * independently of envscale's writer (src/record/export.ts): the tests hold every exported row to
 * these rules. Each function returns the problems it finds ([] when the row is accepted).
 */

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const jsonObject = (text: unknown): Obj | undefined => {
  if (typeof text !== 'string') return undefined;
  try {
    const v = JSON.parse(text);
    return isObj(v) ? v : undefined;
  } catch {
    return undefined;
  }
};

/**
 * OpenAI chat fine-tuning, one line of the training file (API reference `FineTuneChatRequestInput`
 * and the fine-tuning guide): `messages` (system/developer, user, assistant, tool), optional
 * `tools` and `parallel_tool_calls`. Assistant messages carry `content` unless they carry
 * `tool_calls`; `weight` is 0 or 1 and only on assistant messages; each tool call is
 * {id, type "function", function {name, arguments as a JSON string}}; every tool message answers
 * a call of the assistant message it follows; a call is answered before the dialogue goes on (a
 * final assistant message may end on calls, as the guide's function-calling examples do); the
 * example ends with an assistant message and trains at least one; function names are letters,
 * digits, _ and - (at most 64) and calls name a tool listed in `tools`.
 */
export function openAiProblems(row: unknown): string[] {
  const out: string[] = [];
  if (!isObj(row)) return ['not an object'];
  for (const k of Object.keys(row)) if (!['messages', 'tools', 'parallel_tool_calls', 'functions'].includes(k)) out.push(`unknown key ${k}`);
  const tools = row.tools ?? [];
  if (!Array.isArray(tools)) out.push('tools is not a list');
  const names = new Set<string>();
  for (const t of Array.isArray(tools) ? tools : []) {
    if (!isObj(t) || t.type !== 'function' || !isObj(t.function)) out.push('a tool is not {type: "function", function}');
    else if (typeof t.function.name !== 'string' || !/^[a-zA-Z0-9_-]{1,64}$/.test(t.function.name)) out.push(`tool name ${t.function.name} is not accepted`);
    else {
      names.add(t.function.name);
      if (t.function.parameters !== undefined && !isObj(t.function.parameters)) out.push(`tool ${t.function.name}: parameters is not an object`);
    }
  }
  const messages = row.messages;
  if (!Array.isArray(messages) || messages.length === 0) return [...out, 'messages is missing or empty'];
  const allowed: Record<string, string[]> = {
    system: ['role', 'content', 'name'],
    developer: ['role', 'content', 'name'],
    user: ['role', 'content', 'name'],
    assistant: ['role', 'content', 'name', 'tool_calls', 'weight', 'refusal', 'function_call'],
    tool: ['role', 'content', 'tool_call_id'],
  };
  let open = new Set<string>();
  let trained = 0;
  messages.forEach((m: unknown, i: number) => {
    const at = `message ${i}`;
    if (!isObj(m) || !(m.role in allowed)) return void out.push(`${at}: unknown role`);
    for (const k of Object.keys(m)) if (!allowed[m.role].includes(k)) out.push(`${at}: key ${k} not allowed on ${m.role}`);
    if (m.role === 'tool') {
      if (typeof m.content !== 'string') out.push(`${at}: tool content is not a string`);
      if (!open.delete(m.tool_call_id)) out.push(`${at}: answers no open call (${m.tool_call_id})`);
      return;
    }
    if (open.size > 0) out.push(`${at}: call ${[...open][0]} has no tool message`);
    open = new Set();
    if (m.role !== 'assistant') {
      if (typeof m.content !== 'string') out.push(`${at}: content is not a string`);
      return;
    }
    const calls = m.tool_calls ?? [];
    if (!Array.isArray(calls)) return void out.push(`${at}: tool_calls is not a list`);
    if (calls.length === 0 && (typeof m.content !== 'string' || m.content === '')) out.push(`${at}: an assistant message without content or calls`);
    if (m.content !== undefined && m.content !== null && typeof m.content !== 'string') out.push(`${at}: content is not a string`);
    if (m.weight !== undefined && m.weight !== 0 && m.weight !== 1) out.push(`${at}: weight must be 0 or 1`);
    if (m.weight !== 0) trained++;
    for (const c of calls) {
      if (!isObj(c) || typeof c.id !== 'string' || c.type !== 'function' || !isObj(c.function)) {
        out.push(`${at}: a tool call is not {id, type: "function", function}`);
        continue;
      }
      if (typeof c.function.arguments !== 'string' || !jsonObject(c.function.arguments)) out.push(`${at}: arguments of ${c.id} are not a JSON object in a string`);
      if (!names.has(c.function.name)) out.push(`${at}: calls ${c.function.name}, which is not in tools`);
      open.add(c.id);
    }
  });
  const last = messages[messages.length - 1];
  if (!isObj(last) || last.role !== 'assistant') out.push('the last message is not the assistant\'s');
  if (trained === 0) out.push('no assistant message is trained');
  return out;
}

export interface LlamaFactoryEntry {
  file_name?: string;
  formatting?: string;
  columns?: Record<string, string>;
  tags?: Record<string, string>;
}

/**
 * What LLaMA-Factory reads from a row through its `dataset_info.json` entry
 * (data/README.md and data/converter.py `SharegptDatasetConverter`, data/formatter.py, data/tool_utils.py):
 * the system prompt and tools only from the columns the entry names (none by default); turns
 * alternate human/observation (odd positions) with gpt/function_call (even positions) and are
 * even in number, or the example is skipped; a function_call is JSON `{name, arguments}` or a
 * list of them; tools are a JSON list whose entries (or their `function`) have a name and
 * `parameters.properties`, which the default tool prompt iterates.
 */
export function llamaFactoryRead(row: unknown, entry: LlamaFactoryEntry): { system: string; tools: Obj[]; turns: number } | { broken: string } {
  if ((entry.formatting ?? 'alpaca') !== 'sharegpt') return { broken: 'the entry does not say formatting: sharegpt' };
  if (!isObj(row)) return { broken: 'not an object' };
  const columns = entry.columns ?? {};
  const tags = { role: 'from', content: 'value', user: 'human', assistant: 'gpt', observation: 'observation', function: 'function_call', system: 'system', ...(entry.tags ?? {}) };
  let messages = row[columns.messages ?? 'conversations'];
  if (!Array.isArray(messages)) return { broken: 'no conversations column' };
  let system = columns.system ? String(row[columns.system] ?? '') : '';
  if (messages.length && messages[0][tags.role] === tags.system) {
    system = messages[0][tags.content];
    messages = messages.slice(1);
  }
  const accept = [
    [tags.user, tags.observation],
    [tags.assistant, tags.function],
  ];
  for (const [i, m] of messages.entries()) {
    if (!isObj(m) || !accept[i % 2].includes(m[tags.role])) return { broken: `invalid role tag at turn ${i}` };
    if (typeof m[tags.content] !== 'string') return { broken: `turn ${i}: value is not a string` };
    if (m[tags.role] === tags.function) {
      let calls: unknown;
      try {
        calls = JSON.parse(m[tags.content]);
      } catch {
        return { broken: `turn ${i}: function_call is not JSON` };
      }
      for (const c of Array.isArray(calls) ? calls : [calls]) if (!isObj(c) || typeof c.name !== 'string' || !('arguments' in c)) return { broken: `turn ${i}: a call without name and arguments` };
    }
  }
  if (messages.length % 2 !== 0) return { broken: 'invalid message count' };
  const toolText = columns.tools ? row[columns.tools] : '';
  let tools: Obj[] = [];
  if (toolText) {
    try {
      tools = JSON.parse(toolText);
    } catch {
      return { broken: 'tools is not JSON' };
    }
    if (!Array.isArray(tools)) return { broken: 'tools is not a JSON list' };
    for (const raw of tools) {
      const t = isObj(raw) && raw.type === 'function' ? raw.function : raw;
      if (!isObj(t) || typeof t.name !== 'string' || !isObj(t.parameters) || !isObj(t.parameters.properties)) return { broken: 'a tool without name and parameters.properties' };
    }
  }
  return { system, tools, turns: messages.length };
}

/**
 * Hugging Face chat templates and TRL's SFTTrainer (TRL dataset_formats "Tool Calling",
 * transformers chat_extras): `messages` with roles system (first only), user, assistant, tool;
 * assistant tool calls as {type "function", function {name, arguments}} with arguments an
 * object (transformers warns that OpenAI's JSON-string arguments cause errors or strange model
 * behavior: templates such as Qwen2.5's and Llama 3.1's print them with `tojson`); tool messages right after the assistant message whose calls they
 * answer, one per call; the example opens with the user (after a system message) and ends with
 * the assistant; `tools` a list of {type "function", function {name, description, parameters}}
 * or that list as a JSON string (SFTTrainer json.loads a string).
 */
export function chatTemplateProblems(row: unknown): string[] {
  const out: string[] = [];
  if (!isObj(row)) return ['not an object'];
  let tools = row.tools;
  if (typeof tools === 'string') {
    try {
      tools = JSON.parse(tools);
    } catch {
      out.push('tools is a string but not JSON');
    }
  }
  const names = new Set<string>();
  for (const t of Array.isArray(tools) ? tools : []) {
    if (!isObj(t) || t.type !== 'function' || !isObj(t.function) || typeof t.function.name !== 'string' || !isObj(t.function.parameters)) out.push('a tool is not {type: "function", function: {name, parameters}}');
    else names.add(t.function.name);
  }
  if (tools !== undefined && !Array.isArray(tools)) out.push('tools is not a list');
  const messages = row.messages;
  if (!Array.isArray(messages) || messages.length === 0) return [...out, 'messages is missing or empty'];
  let expected = 0;
  let answered = 0;
  let seenUser = false;
  messages.forEach((m: unknown, i: number) => {
    const at = `message ${i}`;
    if (!isObj(m) || !['system', 'user', 'assistant', 'tool'].includes(m.role)) return void out.push(`${at}: unknown role`);
    if (typeof m.content !== 'string') out.push(`${at}: content is not a string`);
    if (m.role === 'system' && i !== 0) out.push(`${at}: a system message after the first`);
    if (m.role === 'tool') {
      if (answered >= expected) out.push(`${at}: a tool message that answers no call`);
      answered++;
      return;
    }
    if (expected > answered && i !== messages.length - 1) out.push(`${at}: a call before it has no tool message`);
    expected = answered = 0;
    if (m.role === 'user') seenUser = true;
    if (m.role === 'assistant') {
      if (!seenUser) out.push(`${at}: the assistant speaks before the user`);
      for (const c of m.tool_calls ?? []) {
        if (!isObj(c) || c.type !== 'function' || !isObj(c.function) || typeof c.function.name !== 'string') out.push(`${at}: a tool call is not {type: "function", function: {name, arguments}}`);
        else {
          if (!isObj(c.function.arguments)) out.push(`${at}: arguments are not an object${jsonObject(c.function.arguments) ? ' (a JSON string, which templates print quoted)' : ''}`);
          if (names.size && !names.has(c.function.name)) out.push(`${at}: calls ${c.function.name}, which is not in tools`);
        }
        expected++;
      }
      if (!(m.tool_calls ?? []).length && !String(m.content ?? '').trim()) out.push(`${at}: an empty assistant message`);
    }
  });
  if (!isObj(messages[messages.length - 1]) || messages[messages.length - 1].role !== 'assistant') out.push('the last message is not the assistant\'s');
  return out;
}

/** The Arrow type `load_dataset("json")` infers for a value. */
type ArrowType = { k: 'null' | 'bool' | 'int' | 'double' | 'string' } | { k: 'list'; item: ArrowType } | { k: 'struct'; fields: Map<string, ArrowType> };
/** A place in a row: object keys, and 0 for "every item of a list" (datasets' own notation). */
type FieldPath = Array<string | 0>;

/** pyarrow's "JSON parse error: Column(a/[]/b) changed from x to y", with the path kept to act on. */
class MixedTypes extends Error {
  constructor(readonly path: FieldPath, from: string, to: string) {
    super(`JSON parse error: Column(${path.map((p) => (p === 0 ? '[]' : p)).join('/')}) changed from ${from} to ${to}`);
  }
}

function inferType(v: Json): ArrowType {
  if (v === null) return { k: 'null' };
  if (typeof v === 'boolean') return { k: 'bool' };
  if (typeof v === 'number') return { k: Number.isInteger(v) ? 'int' : 'double' };
  if (typeof v === 'string') return { k: 'string' };
  if (Array.isArray(v)) return { k: 'list', item: v.reduce<ArrowType>((t, x) => unifyTypes(t, inferType(x)), { k: 'null' }) };
  return { k: 'struct', fields: new Map(Object.entries(v).map(([key, x]) => [key, inferType(x)])) };
}

function unifyTypes(a: ArrowType, b: ArrowType, path: FieldPath = []): ArrowType {
  if (a.k === 'null') return b;
  if (b.k === 'null') return a;
  if (a.k === 'list' && b.k === 'list') return { k: 'list', item: unifyTypes(a.item, b.item, [...path, 0]) };
  if (a.k === 'struct' && b.k === 'struct') {
    const fields = new Map(a.fields);
    for (const [key, t] of b.fields) fields.set(key, fields.has(key) ? unifyTypes(fields.get(key)!, t, [...path, key]) : t);
    return { k: 'struct', fields };
  }
  if ((a.k === 'int' && b.k === 'double') || (a.k === 'double' && b.k === 'int')) return { k: 'double' };
  if (a.k === b.k) return a;
  throw new MixedTypes(path, a.k, b.k);
}

function materialize(v: Json | undefined, t: ArrowType): Json {
  if (v === undefined || v === null) return null;
  if (t.k === 'list') return (v as Json[]).map((x) => materialize(x, t.item));
  if (t.k === 'struct') return Object.fromEntries([...t.fields].map(([key, ft]) => [key, materialize((v as Obj)[key], ft)]));
  return v;
}

/**
 * The fields whose objects do not all have the same keys, or that mix objects or lists with other
 * values (datasets `find_mixed_struct_types_field_paths`): these become `Json()` values.
 */
function mixedStructPaths(rows: Json[]): FieldPath[] {
  const out: FieldPath[] = [];
  const queue: Array<[FieldPath, Json[]]> = [[[], rows.filter((r) => r !== null)]];
  while (queue.length) {
    const [path, content] = queue.shift()!;
    if (content.every(isObj)) {
      const keys = (x: Obj) => Object.keys(x).sort().join('\0');
      if (path.length && (content.some((x) => keys(x as Obj) !== keys(content[0] as Obj)) || Object.keys(content[0] as Obj).length === 0)) out.push(path);
      else
        for (const key of new Set(content.flatMap((x) => Object.keys(x as Obj)))) {
          const values = content.map((x) => (x as Obj)[key]).filter((x) => x !== undefined && x !== null);
          if (values.length) queue.push([[...path, key], values]);
        }
    } else if (content.every(Array.isArray)) {
      const items = (content as Json[][]).flat().filter((x) => x !== null);
      if (items.length) queue.push([[...path, 0], items]);
    } else if (content.some((x) => isObj(x) || Array.isArray(x))) out.push(path);
  }
  return out;
}

/** Apply `f` to the value at `path` (datasets `json_encode_field` / `json_decode_field`). */
function atPath(v: Json, path: FieldPath, f: (x: Json) => Json): Json {
  if (v === null || v === undefined) return null;
  if (!path.length) return f(v);
  const [head, ...rest] = path;
  if (head === 0) return (v as Json[]).map((x) => atPath(x, rest, f));
  return { ...(v as Obj), [head]: atPath((v as Obj)[head], rest, f) };
}

const parses = (x: Json) => {
  try {
    JSON.parse(x as string);
    return typeof x === 'string';
  } catch {
    return false;
  }
};

/**
 * The rows as `datasets.load_dataset("json")` gives them back, a reproduction of its JSON builder
 * (PyPI is not reachable from the machines this runs on, so not the library itself): one Arrow
 * schema for the whole file, inferred as pyarrow's JSON reader does (objects become structs whose
 * fields are every key seen in any row, absent keys come back as null; lists take one item type;
 * int and float unify to float; any other mix of types is an error). From datasets 4.7 on
 * (`jsonValues`, its default `on_mixed_types="use_json"`), fields whose objects have different keys
 * from row to row, and fields pyarrow finds mixed, are stored as `Json()`: JSON text decoded on
 * access, so they come back as written.
 */
export function loadJsonDataset(rows: Json[], { jsonValues = true } = {}): Json[] {
  const paths = jsonValues ? mixedStructPaths(rows) : [];
  for (;;) {
    const encoded = rows.map((r) => paths.reduce((x, p) => atPath(x, p, (v) => (parses(v) ? v : JSON.stringify(v))), r));
    let schema: ArrowType;
    try {
      schema = encoded.reduce<ArrowType>((t, r) => unifyTypes(t, inferType(r)), { k: 'null' });
    } catch (err) {
      if (!(err instanceof MixedTypes) || !jsonValues || paths.some((p) => p.join('/') === err.path.join('/'))) throw err;
      paths.push(err.path);
      continue;
    }
    return encoded.map((r) => paths.reduce((x, p) => atPath(x, p, (v) => JSON.parse(v as string)), materialize(r, schema)));
  }
}
