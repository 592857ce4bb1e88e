import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ChatRequest, Reply } from '../test/helpers/openai-server.js';

/** An instant agent model: one tool call after each user message, then a report. */
export function instantAgent(req: ChatRequest): Reply {
  const last = req.messages[req.messages.length - 1];
  if (last.role === 'user') return { toolCalls: [{ name: 'get_project', arguments: { project_id: 'P-101' } }] };
  return { content: 'Done: here is your project.' };
}

const MESSAGES = Buffer.from('"messages":[');
const TOOLS = Buffer.from('"tools":[');
const ROLE = Buffer.from('"role":"');
const USER = Buffer.from('user"');

/**
 * Whether the last message of a raw chat-completions body is the user's, found without parsing
 * the body: the last `"role":"` before the tool list (an escaped quote inside a message's text
 * never matches, and a tool list only holds schemas).
 */
function lastIsUser(body: Buffer): boolean {
  const messages = body.indexOf(MESSAGES);
  const tools = body.indexOf(TOOLS);
  const end = tools > messages ? tools : body.length;
  const role = body.lastIndexOf(ROLE, end);
  return role >= 0 && body.compare(USER, 0, USER.length, role + ROLE.length, role + ROLE.length + USER.length) === 0;
}

const completion = (message: object, finish: string) =>
  JSON.stringify({ id: 'chatcmpl-instant', object: 'chat.completion', created: 0, model: 'instant', choices: [{ index: 0, finish_reason: finish, message }], usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 } });
// The tool call's reply with a slot for its call id, which must differ from call to call.
const [callHead, callTail] = completion({ role: 'assistant', content: null, tool_calls: [{ id: '@id@', type: 'function', function: { name: 'get_project', arguments: JSON.stringify({ project_id: 'P-101' }) } }] }, 'tool_calls').split('@id@');
const REPORT = Buffer.from(completion({ role: 'assistant', content: 'Done: here is your project.' }, 'stop'));

/**
 * instantAgent as a server of its own for benchmarks: the same replies, written ahead of time,
 * and a request is read only as far as the role of its last message. The benchmarks measure
 * envscale, so the model they talk to should cost next to nothing per reply (the scripted test
 * server parses and keeps every request, which costs it more than a turn of envscale).
 */
export async function startInstantModel(): Promise<{ url: string; close(): Promise<void> }> {
  let n = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.method !== 'POST' || !req.url?.endsWith('/chat/completions')) {
        res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":{"message":"no such route"}}');
        return;
      }
      const body = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
      const reply = lastIsUser(body) ? Buffer.from(`${callHead}call_${n++}${callTail}`) : REPORT;
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': reply.length }).end(reply);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

// Run as a script: the instant model in a process of its own, its URL on the first line of stdout.
if (process.argv[1]?.endsWith('instant-model.js')) {
  const server = await startInstantModel();
  console.log(server.url);
  process.on('SIGTERM', () => void server.close().then(() => process.exit(0)));
}
