import { GetSecretValueCommand, ResourceNotFoundException, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { KEYS_REFRESH_MIN_MS, KEYS_TTL_MS, resetCursorKeysForTests } from '../../shared/config/cursor-keys.js';
import { DomainError } from '../../shared/errors.js';
import {
  CURSOR_LIFETIME_MS,
  MAX_CURSOR_CHARS,
  cursorScopeOf,
  openCursor,
  pageRequestOf,
  sealCursor,
  type CursorScope,
} from '../../shared/table/cursor.js';

const KEY_A = 'unit-test-cursor-key-a-0123456789abcdefghijklmnop';
const KEY_B = 'unit-test-cursor-key-b-0123456789abcdefghijklmnop';
const SECRET_ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:points-mall-test/cursor-key-AbCdEf';

const secrets = mockClient(SecretsManagerClient);

function useKeys(current: string | undefined, previous?: string): void {
  for (const name of ['CURSOR_KEY', 'CURSOR_KEY_PREVIOUS', 'CURSOR_KEY_SECRET_ARN']) delete process.env[name];
  if (current !== undefined) process.env.CURSOR_KEY = current;
  if (previous !== undefined) process.env.CURSOR_KEY_PREVIOUS = previous;
  resetCursorKeysForTests();
}

beforeEach(() => useKeys(KEY_A));
afterEach(() => {
  useKeys(undefined);
  secrets.reset();
});

const scope: CursorScope = { operation: 'listMallProducts', caller: 'member:m1', filters: { 'query.zone': 'main' } };
const attributeName = fc.stringMatching(/^[A-Za-z][A-Za-z0-9_]{0,11}$/);
const position = { key: { PK: 'PRODUCT#p-tea-set', SK: 'PRODUCT', GSI1PK: 'ZONE#main', GSI1SK: '0001#p-tea-set' } };

/** The problem code a rejected open answers, or 'opened'. */
async function outcome(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'opened';
  } catch (error) {
    return error instanceof DomainError ? error.code : `unexpected ${String(error)}`;
  }
}

describe('sealed cursors', () => {
  it('opens what it sealed, whatever the key and state', async () => {
    await fc.assert(
      fc.asyncProperty(
        // Key attributes are DynamoDB attribute names (PK, GSI1SK ...); their values any string or number.
        fc.dictionary(attributeName, fc.oneof(fc.string({ maxLength: 40 }), fc.integer()), { minKeys: 1, maxKeys: 4 }),
        fc.option(fc.dictionary(attributeName, fc.integer()), { nil: undefined }),
        async (key, state) => {
          // Act
          const cursor = await sealCursor(scope, { key, ...(state ? { state } : {}) });
          const opened = await openCursor(scope, cursor);
          // Assess
          expect(opened).toEqual({ key, ...(state ? { state } : {}) });
        },
      ),
      { numRuns: 100 },
    );
  });

  it('shows no table key and differs each time it seals the same position', async () => {
    // Act
    const first = await sealCursor(scope, position);
    const second = await sealCursor(scope, position);
    // Assess
    expect(first).not.toEqual(second);
    expect(first).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(Buffer.from(first, 'base64url').toString('latin1')).not.toMatch(/PRODUCT|ZONE|tea/);
  });

  it('refuses a cursor with any bit flipped', async () => {
    // Prepare
    const bytes = Buffer.from(await sealCursor(scope, position), 'base64url');
    await fc.assert(
      fc.asyncProperty(fc.nat({ max: bytes.length * 8 - 1 }), async (bit) => {
        const flipped = Buffer.from(bytes);
        flipped[bit >> 3]! ^= 1 << (bit & 7);
        // Act, Assess
        expect(await outcome(openCursor(scope, flipped.toString('base64url')))).toBe('INVALID_CURSOR');
      }),
      { numRuns: 200 },
    );
  });

  it('refuses a cursor with any character changed, cut or added', async () => {
    // Prepare
    const cursor = await sealCursor(scope, position);
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    await fc.assert(
      fc.asyncProperty(fc.nat({ max: cursor.length - 1 }), fc.constantFrom(...alphabet), fc.nat({ max: cursor.length - 1 }), async (at, char, cut) => {
        fc.pre(cursor[at] !== char);
        const changed = `${cursor.slice(0, at)}${char}${cursor.slice(at + 1)}`;
        // Act, Assess
        expect(await outcome(openCursor(scope, changed))).toBe('INVALID_CURSOR');
        expect(await outcome(openCursor(scope, cursor.slice(0, cut)))).toBe('INVALID_CURSOR');
        expect(await outcome(openCursor(scope, `${cursor}${char}`))).toBe('INVALID_CURSOR');
      }),
      { numRuns: 200 },
    );
  });

  it.each([
    ['empty', ''],
    ['not base64url', 'not a cursor!'],
    ['the old format: base64 JSON of table keys', Buffer.from(JSON.stringify(position.key)).toString('base64url')],
    ['the old ledger format with a forged balance', Buffer.from(JSON.stringify({ sk: 'LEDGER#points#01', balance: 1e9 })).toString('base64url')],
    ['prototype-named JSON', Buffer.from('{"__proto__":{"admin":true},"constructor":{"prototype":{}}}').toString('base64url')],
    ['random bytes', Buffer.from(Array.from({ length: 120 }, (_, i) => (i * 131 + 7) % 256)).toString('base64url')],
    ['only a version byte', Buffer.of(1).toString('base64url')],
    ['very long', 'A'.repeat(MAX_CURSOR_CHARS + 1)],
    ['very, very long', 'x'.repeat(1_000_000)],
  ])('refuses %s', async (_name, cursor) => {
    // Act, Assess
    expect(await outcome(openCursor(scope, cursor))).toBe('INVALID_CURSOR');
  });

  it('refuses random input of any shape', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.string(), fc.base64String(), fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b).toString('base64url'))), async (cursor) => {
        // Act, Assess
        expect(await outcome(openCursor(scope, cursor))).toBe('INVALID_CURSOR');
      }),
      { numRuns: 300 },
    );
  });

  it.each<[string, CursorScope]>([
    ['another caller', { ...scope, caller: 'member:m2' }],
    ['another kind of caller with the same subject', { ...scope, caller: 'admin:m1' }],
    ['another list', { ...scope, operation: 'listMyOrders' }],
    ['another filter value', { ...scope, filters: { 'query.zone': 'flash-sale' } }],
    ['one filter more', { ...scope, filters: { ...scope.filters, 'query.status': 'USED' } }],
    ['no filter', { ...scope, filters: {} }],
    ['the filter as a path parameter', { ...scope, filters: { 'path.zone': 'main' } }],
  ])('refuses a cursor replayed by %s', async (_name, other) => {
    // Prepare
    const cursor = await sealCursor(scope, position);
    // Act, Assess
    expect(await outcome(openCursor(other, cursor))).toBe('INVALID_CURSOR');
    expect(await outcome(openCursor(scope, cursor))).toBe('opened');
  });

  it('opens for 24 hours, then answers that the cursor has expired', async () => {
    // Prepare
    const issued = new Date('2026-12-01T00:00:00Z');
    const cursor = await sealCursor(scope, position, issued);
    // Act
    const justBefore = openCursor(scope, cursor, new Date(issued.getTime() + CURSOR_LIFETIME_MS));
    const after = openCursor(scope, cursor, new Date(issued.getTime() + CURSOR_LIFETIME_MS + 1000));
    // Assess
    await expect(justBefore).resolves.toEqual(position);
    await expect(after).rejects.toMatchObject({ code: 'INVALID_CURSOR', message: expect.stringMatching(/expired/) });
  });

  it('refuses a cursor issued in the future', async () => {
    // Prepare
    const cursor = await sealCursor(scope, position, new Date(Date.now() + 3600_000));
    // Act, Assess
    expect(await outcome(openCursor(scope, cursor))).toBe('INVALID_CURSOR');
  });

  it('tells the client what to do, and nothing about why', async () => {
    // Act
    const refused = openCursor({ ...scope, caller: 'member:m2' }, await sealCursor(scope, position));
    // Assess
    await expect(refused).rejects.toMatchObject({
      code: 'INVALID_CURSOR',
      message: 'cursor is not one this API issued for this list and caller; pass nextCursor from the previous page unchanged, or start again without cursor',
    });
  });
});

describe('cursor keys', () => {
  it('opens cursors of the previous key after a rotation, and not once it is retired', async () => {
    // Prepare
    const sealedWithA = await sealCursor(scope, position);
    useKeys(KEY_B, KEY_A);
    const sealedWithB = await sealCursor(scope, position);
    // Act
    const afterRotation = await outcome(openCursor(scope, sealedWithA));
    useKeys(KEY_B);
    const afterRetirement = await outcome(openCursor(scope, sealedWithA));
    // Assess
    expect(afterRotation).toBe('opened');
    expect(afterRetirement).toBe('INVALID_CURSOR');
    expect(await outcome(openCursor(scope, sealedWithB))).toBe('opened');
  });

  it('names the missing configuration', async () => {
    // Prepare
    useKeys(undefined);
    // Act, Assess
    await expect(sealCursor(scope, position)).rejects.toThrow('missing required environment variable CURSOR_KEY_SECRET_ARN (or CURSOR_KEY locally)');
  });

  it('refuses key text too short to be a key', async () => {
    // Prepare
    useKeys('short');
    // Act, Assess
    await expect(sealCursor(scope, position)).rejects.toThrow('CURSOR_KEY must be at least 32 characters');
  });

  describe('on AWS (Secrets Manager)', () => {
    beforeEach(() => {
      useKeys(undefined);
      process.env.CURSOR_KEY_SECRET_ARN = SECRET_ARN;
    });

    it('reads the current and previous versions once, on first use, for many cursors', async () => {
      // Prepare
      secrets.on(GetSecretValueCommand, { SecretId: SECRET_ARN, VersionStage: 'AWSCURRENT' }).resolves({ SecretString: KEY_B });
      secrets.on(GetSecretValueCommand, { SecretId: SECRET_ARN, VersionStage: 'AWSPREVIOUS' }).resolves({ SecretString: KEY_A });
      useKeys(KEY_A);
      const beforeRotation = await sealCursor(scope, position);
      useKeys(undefined);
      process.env.CURSOR_KEY_SECRET_ARN = SECRET_ARN;
      expect(secrets.commandCalls(GetSecretValueCommand)).toHaveLength(0);
      // Act
      const cursors = await Promise.all([sealCursor(scope, position), sealCursor(scope, position)]);
      const opened = await Promise.all([...cursors, beforeRotation].map((c) => outcome(openCursor(scope, c))));
      // Assess
      expect(opened).toEqual(['opened', 'opened', 'opened']);
      expect(secrets.commandCalls(GetSecretValueCommand)).toHaveLength(2);
    });

    it('works with a secret never rotated (no AWSPREVIOUS)', async () => {
      // Prepare
      secrets.on(GetSecretValueCommand, { VersionStage: 'AWSCURRENT' }).resolves({ SecretString: KEY_A });
      secrets
        .on(GetSecretValueCommand, { VersionStage: 'AWSPREVIOUS' })
        .rejects(new ResourceNotFoundException({ message: 'no AWSPREVIOUS version', $metadata: {} }));
      // Act
      const cursor = await sealCursor(scope, position);
      // Assess
      expect(await outcome(openCursor(scope, cursor))).toBe('opened');
    });

    it('reads the keys again when they are old, or when a cursor does not open and a minute has passed', async () => {
      // Prepare
      const start = Date.now();
      secrets.on(GetSecretValueCommand, { VersionStage: 'AWSCURRENT' }).resolves({ SecretString: KEY_A });
      secrets
        .on(GetSecretValueCommand, { VersionStage: 'AWSPREVIOUS' })
        .rejects(new ResourceNotFoundException({ message: 'no AWSPREVIOUS version', $metadata: {} }));
      const cursor = await sealCursor(scope, position, new Date(start));
      // Act: a cursor that does not open soon after the read, then one after a minute, then a seal after the TTL
      await outcome(openCursor({ ...scope, caller: 'member:m2' }, cursor, new Date(start + 1000)));
      const soon = secrets.commandCalls(GetSecretValueCommand).length;
      await outcome(openCursor({ ...scope, caller: 'member:m2' }, cursor, new Date(start + KEYS_REFRESH_MIN_MS + 1000)));
      const afterAMinute = secrets.commandCalls(GetSecretValueCommand).length;
      await sealCursor(scope, position, new Date(start + KEYS_REFRESH_MIN_MS + KEYS_TTL_MS + 2000));
      const afterTtl = secrets.commandCalls(GetSecretValueCommand).length;
      // Assess
      expect([soon, afterAMinute, afterTtl]).toEqual([2, 4, 6]);
    });
  });
});

describe('cursor scope', () => {
  it('binds operation, caller, path and query, not cursor or limit', () => {
    // Act
    const page = pageRequestOf({
      operation: 'listMyDrawSpins',
      auth: 'member',
      subject: 'm1',
      params: { drawId: 'd-1' },
      query: { limit: 5, cursor: 'abc', status: 'USED', since: new Date('2026-01-01T00:00:00Z'), absent: undefined },
    });
    // Assess
    expect(page).toEqual({
      limit: 5,
      cursor: 'abc',
      scope: {
        operation: 'listMyDrawSpins',
        caller: 'member:m1',
        filters: { 'path.drawId': 'd-1', 'query.status': 'USED', 'query.since': '2026-01-01T00:00:00.000Z' },
      },
    });
  });

  it('binds the same list the same way whatever the order of its filters', async () => {
    // Prepare
    const one = cursorScopeOf({ operation: 'op', auth: 'admin', subject: 'o1', params: {}, query: { a: '1', b: '2' } });
    const other = cursorScopeOf({ operation: 'op', auth: 'admin', subject: 'o1', params: {}, query: { b: '2', a: '1' } });
    // Act
    const cursor = await sealCursor(one, position);
    // Assess
    expect(await outcome(openCursor(other, cursor))).toBe('opened');
  });
});
