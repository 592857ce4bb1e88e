import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { synthesizeOffline } from '../../src/synth/pipeline.js';
import { verifySpec } from '../../src/synth/verify.js';
import { writeDomainFolder } from '../../src/synth/write.js';
import { readDomainSpec } from '../../src/env/load.js';
import { VerificationFile } from '../../src/spec/verification.js';
import { textOf } from '../helpers/mcp.js';
import { folderBytes, shopDomain, tempDir, withMcpClient } from './helpers.js';

const dirs: string[] = [];
const fresh = (label: string) => {
  const d = tempDir(label);
  dirs.push(d);
  return d;
};
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('writing synthesized domains', () => {
  const { planned, tools } = shopDomain();

  it('is deterministic: same plan and seed give identical folders byte for byte; another seed other rows', () => {
    const [a, b, c] = [fresh('a'), fresh('b'), fresh('c')];
    for (const out of [a, b]) {
      const o = synthesizeOffline(planned, tools, 3);
      writeDomainFolder(out, o.spec!, o.verdicts);
    }
    const o = synthesizeOffline(planned, tools, 4);
    writeDomainFolder(c, o.spec!, o.verdicts);
    expect(folderBytes(a)).toEqual(folderBytes(b));
    expect([...folderBytes(a).keys()]).toEqual(['shop/domain.json', 'shop/policy.md', 'shop/seed.json', 'shop/verification.json']);
    expect(folderBytes(c).get('shop/seed.json')).not.toEqual(folderBytes(a).get('shop/seed.json'));
    expect(folderBytes(c).get('shop/domain.json')).toEqual(folderBytes(a).get('shop/domain.json'));
  });

  it('replaces an existing folder whole and leaves no temporary folder behind', () => {
    const out = fresh('replace');
    const o = synthesizeOffline(planned, tools, 3);
    writeDomainFolder(out, { ...o.spec!, tools: o.spec!.tools.slice(0, 2) }, o.verdicts);
    writeDomainFolder(out, o.spec!, o.verdicts);
    expect(readdirSync(out)).toEqual(['shop']);
    expect(readDomainSpec(join(out, 'shop')).tools).toHaveLength(tools.length);
  });

  it('writes domains that load with loadDomain, verify again, and serve over MCP', async () => {
    const out = fresh('serve');
    const o = synthesizeOffline(planned, tools, 3);
    const dir = writeDomainFolder(out, o.spec!, o.verdicts);
    expect(verifySpec(readDomainSpec(dir)).verdicts.every((v) => v.ok)).toBe(true);
    await withMcpClient(dir, async (client) => {
      const { tools: listed } = await client.listTools();
      expect(listed.map((t) => t.name)).toContain('get_order');
      const got = await client.callTool({ name: 'get_order', arguments: { order_id: 'ORD-2' } });
      expect(JSON.parse(textOf(got))).toMatchObject({ order_id: 'ORD-2', customer_id: 'CUS-1' });
      const created = await client.callTool({ name: 'create_order', arguments: { customer_id: 'CUS-3', items: ['tea'], total: 4.5 } });
      expect(JSON.parse(textOf(created))).toMatchObject({ order_id: 'ORD-1001', items: ['tea'] });
      const missing = await client.callTool({ name: 'get_customer', arguments: { customer_id: 'CUS-99' } });
      expect(missing.isError).toBe(true);
      expect(textOf(missing)).toBe('Error: no customer found for customer_id CUS-99.');
    });
    // The file holds one verdict per planned tool, in the format src/spec declares.
    const written = VerificationFile.parse(JSON.parse(readFileSync(join(dir, 'verification.json'), 'utf8')));
    expect(written.tools.map((v) => v.tool)).toEqual(o.verdicts.map((v) => v.tool));
    expect(written.tools.every((v) => v.ok && v.example)).toBe(true);
  });
});
