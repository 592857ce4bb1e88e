import { relative } from 'node:path';
import type { Command } from 'commander';
import { decimal, jsonObject, nonNegativeInt, port, positiveInt } from './options.js';

/** Verbs that work on domains: list, serve, call one tool, write the format's JSON Schemas, demo. */
export function registerDomainCommands(program: Command): void {
  program
    .command('domains')
    .description('list the domains on the search path with their tool and task counts')
    .action(async () => {
      const { listDomains } = await import('../env/catalog.js');
      const { markdownTable } = await import('../util/table.js');
      const rows = listDomains();
      if (rows.length === 0) return void console.log('No domains found (looked in ./domains and ./.envscale/domains).');
      console.log(markdownTable(['domain', 'tools', 'reads', 'writes', 'tasks', 'folder'], rows.map((d) => [d.name, d.tools, d.reads, d.writes, d.tasks, relative(process.cwd(), d.dir) || '.'])));
    });

  program
    .command('serve')
    .description('serve domains over MCP: stdio (one domain), or HTTP: MCP at /mcp/<domain>, episodes at /v1/episodes, OpenEnv at /openenv/<domain>')
    .argument('<domains...>', 'domain names or folders, or folders of domain folders (HTTP: loaded on first use)')
    .option('--http', 'serve HTTP instead of stdio')
    .option('--host <host>', 'interface to bind (HTTP)', '127.0.0.1')
    .option('--port <port>', 'port (HTTP; 0 picks a free one)', port, 8808)
    .option('--idle-timeout <seconds>', 'end sessions idle this long (HTTP)', positiveInt('--idle-timeout'), 300)
    .option('--max-sessions <n>', 'most sessions open at once (HTTP)', positiveInt('--max-sessions'), 1000)
    .option('--max-body <bytes>', 'largest request body accepted (HTTP)', positiveInt('--max-body'), 4 * 1024 * 1024)
    .option('--episode-ttl <seconds>', 'end episodes idle this long (HTTP)', positiveInt('--episode-ttl'), 900)
    .option('--max-episodes <n>', 'most episodes open at once (HTTP)', positiveInt('--max-episodes'), 10_000)
    .option('--domain-idle <seconds>', 'unload a domain loaded on first use after this long unused (HTTP)', positiveInt('--domain-idle'), 600)
    .option('--headers-timeout <seconds>', 'a client must send its request headers within this time (HTTP)', decimal('--headers-timeout', true), 10)
    .option('--request-timeout <seconds>', 'a client must send its whole request within this time (HTTP)', decimal('--request-timeout', true), 30)
    .option('--call-timeout <seconds>', "a tool call that runs longer ends its domain's process and that domain's episodes (HTTP)", decimal('--call-timeout', true), 10)
    .option('--max-domain-processes <n>', 'most domains with a process of their own at once (HTTP)', positiveInt('--max-domain-processes'), 64)
    .option('--domain-processes <n>', "most processes of one domain: its episodes are spread over them, each staying in the one it opened in (HTTP)", positiveInt('--domain-processes'), 1)
    .option('--token <token>', 'require this bearer token (HTTP; default $ENVSCALE_TOKEN; needed with a --host beyond loopback)')
    .option('--store <file>', 'record every MCP session in this trajectory store (SQLite)')
    .option('--task <id>', 'bind the session to a task, with a simulated user beside it (stdio; over HTTP use /mcp/<domain>?task=<id>&user=<spec>)')
    .option('--user <spec>', 'simulated user of task-bound sessions: scripted or openai:<model>', 'scripted')
    .option('--tasks <file>', "task file (default: the domain's tasks.json)")
    .option('--user-base-url <url>', 'OpenAI-compatible endpoint of the simulated user (default $OPENAI_BASE_URL)')
    .action(async (refs: string[], opts) => {
      const { serveCommand } = await import('./serve.js');
      await serveCommand(refs, opts);
    });

  program
    .command('call')
    .description('run one tool on a fresh state; print its result and the row-level state diff')
    .argument('<domain>', 'domain name or folder')
    .argument('<tool>', 'tool name')
    .option('--args <json>', 'tool arguments as a JSON object', jsonObject('--args'), {})
    .option('--json', 'print a JSON object instead of text')
    .action(async (ref: string, tool: string, opts: { args: Record<string, unknown>; json?: boolean }) => {
      const { callOnce } = await import('../env/call-once.js');
      const out = callOnce(ref, tool, opts.args);
      if (opts.json) console.log(JSON.stringify(out, null, 2));
      else {
        console.log(out.ok ? 'result:' : 'error:');
        console.log(out.ok ? JSON.stringify(out.value, null, 2) : out.text);
        console.log(`\nstate diff:\n${out.diffText}`);
      }
      if (!out.ok) process.exitCode = 1;
    });

  program
    .command('schema')
    .description("write the JSON Schemas of the domain, seed, task and partition plan files (for editors)")
    .option('-o, --out <dir>', 'folder to write', 'schema')
    .action(async (opts: { out: string }) => {
      const { writeJsonSchemas } = await import('../spec/json-schemas.js');
      for (const path of writeJsonSchemas(opts.out)) console.log(`wrote ${path}`);
    });

  program
    .command('demo')
    .description('the main job on embedded defaults: ingest a bundled corpus, partition, synthesize, verify, sample tasks, roll out, filter, export')
    .option('--out <dir>', 'new or empty folder for the outputs (default: a new temporary folder)')
    .option('--corpus <path>', 'tool collection file or folder to use instead of the bundled corpus (repeatable)', (v: string, prev: string[] = []) => [...prev, v])
    // Defaults live in DEMO_DEFAULTS (src/demo.ts), applied when an option is not given.
    .option('--seed <n>', 'seed of the partition, synthesis, task sampling and rollouts (default 7)', nonNegativeInt('--seed'))
    .option('--tasks <n>', 'tasks sampled per domain (default 6)', positiveInt('--tasks'))
    .option('--domain <domain>', 'curated domain whose tasks are replayed over MCP at the end (default projects)')
    .action(async (opts: { out?: string; corpus?: string[]; seed?: number; tasks?: number; domain?: string }) => {
      const { runDemo, formatDemo } = await import('../demo.js');
      const report = await runDemo({ out: opts.out, corpus: opts.corpus, seed: opts.seed, tasksPerDomain: opts.tasks, curated: opts.domain, log: (line) => process.stderr.write(`${line}\n`) });
      console.log(formatDemo(report));
      if (report.curated.rows.some((r) => !r.matches)) process.exitCode = 1;
    });
}
