import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../../bin/local/dynamodb-local.js';
import { claimsFor, loadOrCreateDevKeys, signDevToken } from '../../bin/local/dev-keys.js';

const dataDir = mkdtempSync(join(tmpdir(), 'points-mall-e2e-'));
let child: ChildProcess | undefined;

async function start(port: number): Promise<ChildProcess> {
  const proc = spawn(process.execPath, ['--import', 'tsx', 'bin/local.ts', '--no-schedules', '--no-console-build'], {
    env: { ...process.env, PORT: String(port), DATA_DIR: dataDir, TABLE_NAME: 'points-mall', DYNAMODB_ENDPOINT: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  proc.stdout?.on('data', (c: Buffer) => (output += c.toString()));
  proc.stderr?.on('data', (c: Buffer) => (output += c.toString()));
  const deadline = Date.now() + 45_000;
  while (Date.now() < deadline) {
    if (proc.exitCode !== null) throw new Error(`npm start exited early:\n${output}`);
    try {
      const res = await fetch(`http://127.0.0.1:${port}/v1/health`);
      if (res.ok) return proc;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  proc.kill('SIGKILL');
  throw new Error(`npm start did not answer in time:\n${output}`);
}

function stop(proc: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    proc.once('exit', (code) => resolve(code));
    proc.kill('SIGINT');
  });
}

afterAll(() => {
  child?.kill('SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
});

describe('npm start (the local runtime)', () => {
  it('serves the API, keeps data across a restart and stops cleanly on Ctrl-C', async () => {
    // Prepare: first start seeds the demo data
    const port = await freePort();
    child = await start(port);
    const keys = await loadOrCreateDevKeys(join(dataDir, 'keys'));
    const admin = await signDevToken(keys, claimsFor('admin', undefined));
    const member = await signDevToken(keys, claimsFor('member', 'm-silver'));
    const base = `http://127.0.0.1:${port}`;
    const before = (await (await fetch(`${base}/v1/me/points`, { headers: { authorization: `Bearer ${member}` } })).json()) as { available: number };

    // Act: adjust, restart
    const adjust = await fetch(`${base}/v1/admin/members/m-silver/adjustments`, {
      method: 'POST',
      headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
      body: JSON.stringify({ points: 123, reason: 'survives a restart' }),
    });
    expect(adjust.status).toBe(201);
    // A browser client (the console) may read Retry-After, Location and the replay mark, as on AWS
    expect(adjust.headers.get('access-control-expose-headers')).toBe('retry-after, location, idempotent-replayed');
    expect(await stop(child)).toBe(0);
    child = await start(port);

    // Assess: the adjustment is still there, the seed did not run twice
    const after = (await (await fetch(`${base}/v1/me/points`, { headers: { authorization: `Bearer ${member}` } })).json()) as { available: number };
    expect(after.available).toBe(before.available + 123);
    const ledger = (await (await fetch(`${base}/v1/me/ledger`, { headers: { authorization: `Bearer ${member}` } })).json()) as {
      items: { reason: string }[];
    };
    expect(ledger.items[0]?.reason).toBe('survives a restart');

    // Assess: the points report (fed by the table stream, re-read from its start after the restart)
    // counts every entry once, so what it says members hold is what their wallets say.
    // Every member the seed made (found through the operators' search, so a new demo member needs no change here).
    const adminHeaders = { authorization: `Bearer ${admin}` };
    const memberIds: string[] = [];
    let cursor: string | null = null;
    do {
      const page = (await (await fetch(`${base}/v1/admin/members?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, { headers: adminHeaders })).json()) as {
        items: { memberId: string }[];
        nextCursor: string | null;
      };
      memberIds.push(...page.items.map((m) => m.memberId));
      cursor = page.nextCursor;
    } while (cursor);
    expect(memberIds).toEqual(expect.arrayContaining(['m1', 'm-silver', 'm-gold', 'm-diamond', 'm-friend']));
    let held = 0;
    for (const id of memberIds) {
      const member = (await (await fetch(`${base}/v1/admin/members/${encodeURIComponent(id)}`, { headers: adminHeaders })).json()) as {
        wallets: { currency: string; available: number; held: number }[];
      };
      const points = member.wallets.find((w) => w.currency === 'points');
      held += (points?.available ?? 0) + (points?.held ?? 0);
    }
    let outstanding: number | undefined;
    for (let i = 0; i < 40 && outstanding !== held; i += 1) {
      if (i > 0) await new Promise((r) => setTimeout(r, 250));
      const report = (await (await fetch(`${base}/v1/admin/reports/points`, { headers: { authorization: `Bearer ${admin}` } })).json()) as {
        outstanding: { points: number };
      };
      outstanding = report.outstanding.points;
    }
    expect(outstanding).toBe(held);
    expect(await stop(child)).toBe(0);
    child = undefined;
  }, 120_000);
});
