import { startJsonEcho } from './echo-server.js';

/** The bare node:http JSON echo in a process of its own, as a server under test would be (it answers every path). */
const echo = await startJsonEcho();
process.stderr.write(`JSON echo at ${echo.url}/v1/episodes\n`);
process.once('SIGTERM', () => void echo.close().then(() => process.exit(0)));
