import { startOpenAiServer, type ChatRequest, type Reply } from '../test/helpers/openai-server.js';

/** An instant agent model: one tool call after each user message, then a report. */
export function instantAgent(req: ChatRequest): Reply {
  const last = req.messages[req.messages.length - 1];
  if (last.role === 'user') return { toolCalls: [{ name: 'get_project', arguments: { project_id: 'P-101' } }] };
  return { content: 'Done: here is your project.' };
}

// Run as a script: the instant model in a process of its own, its URL on the first line of stdout.
if (process.argv[1]?.endsWith('instant-model.js')) {
  const server = await startOpenAiServer(instantAgent);
  console.log(server.url);
  process.on('SIGTERM', () => void server.close().then(() => process.exit(0)));
}
