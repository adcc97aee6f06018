import { describe, expect, it } from 'vitest';
import { extractExamples, mismatches, parsePattern, runCommand, type ExampleShell } from '../support/doc-examples.js';

const doc = (...lines: string[]) => lines.join('\n');

describe('extractExamples', () => {
  it('reads a marked block: commands, continuation lines, stated answers and masks; unmarked blocks are skipped', () => {
    // Arrange
    const markdown = doc(
      '```sh',
      'curl -s localhost:3000/v1/health',
      '```',
      '<!-- example: pos; mask: at, items.*.id -->',
      '```sh',
      "curl -s -X POST localhost:3000/v1/pos/top-ups -H 'content-type: application/json' \\",
      `  -d '{"topUpId":"t-1",`,
      `       "amountCents":50000}'`,
      '# prose, not an answer',
      '# 409 {"code":"CONFLICT",',
      '#  "detail":"two',
      '#  words"}',
      'curl -s localhost:3000/v1/health',
      '```',
    );

    // Act
    const [example, ...others] = extractExamples(markdown);

    // Assert
    expect(others).toEqual([]);
    expect(example?.name).toBe('pos');
    expect(example?.masks).toEqual(['at', 'items.*.id']);
    expect(example?.steps.map((s) => [s.line, s.status])).toEqual([
      [6, 409],
      [13, undefined],
    ]);
    expect(example?.steps[0]?.command).toContain('"amountCents":50000}');
    expect(mismatches(example?.steps[0]?.body ?? { kind: 'any' }, { code: 'CONFLICT', detail: 'two words' })).toEqual([]);
  });

  it('reads the status line and headers of a curl -i answer, then a body if one follows', () => {
    const [example] = extractExamples(
      [
        '<!-- example: docs-page -->',
        '```sh',
        'curl -si localhost:3000/v1/docs | head -5',
        '# HTTP/1.1 200 OK',
        '# content-type: text/html; charset=utf-8',
        '# Content-Security-Policy: default-src \'none\'',
        '# open http://localhost:3000/v1/docs in a browser',
        'curl -si localhost:3000/v1/health/ready',
        '# HTTP/1.1 503 Service Unavailable',
        '# retry-after: 2',
        '# {"code":"UNAVAILABLE"}',
        '```',
      ].join('\n'),
    );
    expect(example?.steps[0]?.status).toBe(200);
    expect([...(example?.steps[0]?.headers ?? [])]).toEqual([
      ['content-type', 'text/html; charset=utf-8'],
      ['content-security-policy', "default-src 'none'"],
    ]);
    expect(example?.steps[0]?.body).toBeUndefined();
    expect(example?.steps[1]?.status).toBe(503);
    expect([...(example?.steps[1]?.headers ?? [])]).toEqual([['retry-after', '2']]);
    expect(example?.steps[1]?.bodyText).toBe('{"code":"UNAVAILABLE"}');
  });

  it('refuses a marker without a block, a name used twice, and ignores markers inside a fenced block', () => {
    expect(() => extractExamples(doc('<!-- example: a -->', 'text'))).toThrow(/must be followed/);
    expect(() => extractExamples(doc('<!-- example: a -->', '```sh', '```', '<!-- example: a -->', '```sh', '```'))).toThrow(/used twice/);
    expect(extractExamples(doc('```md', '<!-- example: shown -->', '```'))).toEqual([]);
  });
});

describe('mismatches', () => {
  it('compares every stated figure, lets unstated members through, and reports a wrong number', () => {
    const pattern = parsePattern('{"pointsEarned":7650,"breakdown":[{"rule":"base","points":2250},...],"at":"..."}');
    const answer = { pointsEarned: 7650, extra: true, breakdown: [{ rule: 'base', points: 2250, description: 'x' }, { rule: 'b' }], at: 't' };

    expect(mismatches(pattern, answer)).toEqual([]);
    expect(mismatches(pattern, { ...answer, pointsEarned: 4050 })).toEqual(['pointsEarned: the doc says 7650, the answer has 4050']);
    expect(mismatches(pattern, { pointsEarned: 7650, breakdown: [] })).toEqual(['breakdown: the doc lists 1 or more items, the answer has 0', 'at: missing']);
  });

  it('holds a closed array to its length, a leading ... to the last items, a trailing "..." string to its prefix', () => {
    expect(mismatches(parsePattern('[1,2]'), [1, 2, 3])).toEqual(['(answer): the doc lists 2 items, the answer has 3']);
    expect(mismatches(parsePattern('[...,3]'), [1, 2, 3])).toEqual([]);
    expect(mismatches(parsePattern('[...]'), [])).toEqual([]);
    expect(mismatches(parsePattern('{"name":"Smart watch ..."}'), { name: 'Smart watch flash sale' })).toEqual([]);
    expect(mismatches(parsePattern('{"name":"Smart watch ..."}'), { name: 'Sneakers' })).toHaveLength(1);
  });

  it('compares a masked member by presence and type only', () => {
    const pattern = parsePattern('{"items":[{"id":"01M8","points":5}],"growth":601}');
    const masks = ['items.*.id', 'growth'];

    expect(mismatches(pattern, { items: [{ id: '01K9', points: 5 }], growth: 12 }, masks)).toEqual([]);
    expect(mismatches(pattern, { items: [{ id: 7, points: 5 }] }, masks)).toEqual([
      'items.0.id: masked, but the doc shows a string and the answer has 7',
      'growth: missing',
    ]);
  });
});

describe('runCommand', () => {
  const shell = (): ExampleShell & { calls: string[][] } => {
    const calls: string[][] = [];
    return {
      calls,
      vars: new Map([['POS', 'tok']]),
      curl: async (args) => {
        calls.push([...args]);
        return { status: 201, body: '{"code":"123456","expiresAt":"x"}', output: '{"code":"123456","expiresAt":"x"}' };
      },
      token: async (args) => `token-${args.join('-')}`,
      now: () => new Date('2026-12-05T10:00:00.123Z'),
    };
  };

  it('expands variables, $(date), $(npm run -s token) and a sed capture as a shell would', async () => {
    const sh = shell();

    await runCommand(`CODE=$(curl -s -X POST localhost:3000/v1/me/payment-codes | sed 's/.*"code":"\\([0-9]*\\)".*/\\1/')`, sh);
    await runCommand(`curl -s -H "authorization: Bearer $POS" -H "x: $(npm run -s token -- member m1)" -d '{"c":"'"$CODE"'","at":"'$(date -u -d '+1 day' +%FT%TZ)'"}' localhost:3000/v1/x # note`, sh);

    expect(sh.vars.get('CODE')).toBe('123456');
    expect(sh.calls[1]).toEqual([
      '-s',
      '-H',
      'authorization: Bearer tok',
      '-H',
      'x: token-member-m1',
      '-d',
      '{"c":"123456","at":"2026-12-06T10:00:00Z"}',
      'localhost:3000/v1/x',
    ]);
  });

  it('prints a day with date +%F, in UTC or in the zone of a TZ= prefix, and sleeps briefly', async () => {
    const sh = shell();
    // 10:00 UTC on 5 December is 18:00 in Shanghai; 20:00 UTC the next day there.
    expect((await runCommand(`date -u +%F`, sh)).output).toBe('2026-12-05\n');
    expect((await runCommand(`TZ=Asia/Shanghai date -d '+10 hour' +%F`, sh)).output).toBe('2026-12-06\n');
    expect((await runCommand(`TZ=Asia/Shanghai date -d '-1 day' +%F`, sh)).output).toBe('2026-12-04\n');
    await runCommand(`FROM=$(TZ=Asia/Shanghai date -d '-6 day' +%F)`, sh);
    expect(sh.vars.get('FROM')).toBe('2026-11-29');
    expect((await runCommand('sleep 0.01', sh)).output).toBe('');
    await expect(runCommand('sleep 60', sh)).rejects.toThrow(/does not run "sleep 60"/);
  });

  it('refuses what it cannot run rather than guessing'
, async () => {
    await expect(runCommand('curl -s localhost:3000/v1/x | jq .code', shell())).rejects.toThrow(/does not run "jq .code"/);
    await expect(runCommand('curl -s -H "authorization: Bearer $NOPE" localhost:3000/v1/x', shell())).rejects.toThrow(/\$NOPE is not set/);
  });
});
