import { loadDomain } from '../src/env/load.js';
import { startHttpHost } from '../src/serve/host.js';

/**
 * `serve --http` without domain processes: every episode in the server's own process. The
 * episodes benchmark runs it beside the real server to measure what the process boundary costs.
 */
const host = await startHttpHost({ domains: process.argv.slice(2).map((dir) => loadDomain(dir)), port: 0, maxEpisodes: 20_000 });
process.stderr.write(`episodes at ${host.url}/v1/episodes\n`);
process.once('SIGTERM', () => void host.close().then(() => process.exit(0)));
