import { afterEach } from 'vitest';
import type { DomainRef } from '../../src/serve/domains.js';
import { startHttpHost, type HttpHost, type HttpHostOptions } from '../../src/serve/host.js';

/** Start HTTP hosts on free ports for the tests of a file; each is closed after its test, whatever happens. */
export function testHosts(domains: DomainRef[]): (options?: Partial<HttpHostOptions>) => Promise<HttpHost> {
  let hosts: HttpHost[] = [];
  afterEach(async () => {
    await Promise.all(hosts.map((h) => h.close()));
    hosts = [];
  });
  return async (options = {}) => {
    const h = await startHttpHost({ domains, port: 0, ...options });
    hosts.push(h);
    return h;
  };
}
