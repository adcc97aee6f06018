/**
 * The worked examples of docs/api.md and of the README's "Try it", each doc run against a fresh local stack of its
 * own (`npm start -- --in-memory`, demo data seeded, as a new user starts it), in document order: every example
 * marked `<!-- example: ... -->` must answer what the doc says it answers. How to mark one: docs/api.md, "Worked
 * examples".
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { claimsFor, loadOrCreateDevKeys, operatorRoles, signDevToken, type DevKeys, type OperatorRole, type TokenKind } from '../../bin/local/dev-keys.js';
import { startLocalStack, type LocalStack } from '../../bin/local/stack-process.js';
import { extractExamples, mismatches, runCommand, type ExampleShell } from '../support/doc-examples.js';

/** The token variables docs/api.md's introduction defines, as `npm run -s token` arguments. */
const apiTokens: Record<string, string[]> = {
  MEMBER: ['member', 'm1'],
  ADMIN: ['admin'],
  POS: ['pos', 'store1'],
  GOLD: ['member', 'm-gold'],
  SUPPORT: ['operator', 'support'],
  MARKETER: ['operator', 'marketer'],
};

// What the integration project sets for its own tests must not change how the stack answers.
for (const name of ['AUDIT_STRICT', 'LOCAL_SDK_TIMEOUT_SCALE', 'MEMBER_RATE_LIMIT_PLACE_ORDER', 'MEMBER_RATE_LIMIT_PLACE_BID', 'MEMBER_RATE_LIMIT_SPIN_DRAW']) delete process.env[name];

/** The docs whose examples run, each with the token variables its text defines before its examples. */
const docs: readonly { file: string; tokens: Record<string, string[]>; atLeast: number }[] = [
  { file: 'docs/api.md', tokens: apiTokens, atLeast: 50 },
  // The README's "Try it" block defines its tokens itself.
  { file: 'README.md', tokens: {}, atLeast: 1 },
];

let stack: LocalStack;
let keys: DevKeys;
let vars = new Map<string, string>();

async function token(args: readonly string[]): Promise<string> {
  const [kind, ...rest] = args as [TokenKind, ...string[]];
  if (!['member', 'admin', 'operator', 'pos', 'inventory'].includes(kind)) throw new Error(`npm run token: unknown kind ${kind}`);
  let role: OperatorRole | undefined;
  if (kind === 'operator') {
    role = rest.shift() as OperatorRole;
    if (!operatorRoles.includes(role)) throw new Error(`npm run token: unknown role ${role}`);
  }
  return signDevToken(keys, claimsFor(kind, rest[0], role));
}

/** curl's options as the docs use them: -s, -S, -i (alone or combined), -X, -H, -d. */
async function curl(args: readonly string[]): Promise<{ status: number; output: string; body: string; headers: Record<string, string> }> {
  let method: string | undefined;
  let data: string | undefined;
  let include = false;
  let url: string | undefined;
  const headers: Record<string, string> = {};
  for (let i = 0; i < args.length; i += 1) {
    const a = args[i] ?? '';
    if (/^-[sSi]+$/.test(a)) include ||= a.includes('i');
    else if (a === '-X') method = args[++i];
    else if (a === '-H') {
      const h = args[++i] ?? '';
      const colon = h.indexOf(':');
      headers[h.slice(0, colon).trim().toLowerCase()] = h.slice(colon + 1).trim();
    } else if (a === '-d' || a === '--data' || a === '--data-raw') data = args[++i];
    else if (a.startsWith('-')) throw new Error(`the example runner does not know curl ${a}`);
    else if (url === undefined) url = a;
    else throw new Error(`curl: a second URL ${a}`);
  }
  const m = /^(?:https?:\/\/)?localhost:3000(\/.*)$/.exec(url ?? '');
  if (!m) throw new Error(`curl: the docs' URLs start with localhost:3000, not ${url}`);
  if (data !== undefined) headers['content-type'] ??= 'application/x-www-form-urlencoded'; // as curl -d sends it
  const res = await fetch(`${stack.baseUrl}${m[1]}`, { method: method ?? (data === undefined ? 'GET' : 'POST'), headers, body: data ?? null });
  const body = await res.text();
  const head = [`HTTP/1.1 ${res.status} ${res.statusText}`, ...[...res.headers].map(([k, v]) => `${k}: ${v}`)].join('\n');
  return { status: res.status, body, headers: Object.fromEntries(res.headers), output: include ? `${head}\n\n${body}` : body };
}

const shell: ExampleShell = {
  get vars() {
    return vars;
  },
  curl,
  token,
  now: () => new Date(),
};

for (const doc of docs) {
  const examples = extractExamples(readFileSync(doc.file, 'utf8'));

  describe(`${doc.file}: worked examples on a fresh stack`, () => {
    beforeAll(async () => {
      stack = await startLocalStack({ console: false });
      keys = await loadOrCreateDevKeys(join(stack.dataDir, 'keys'));
      vars = new Map();
      for (const [name, args] of Object.entries(doc.tokens)) vars.set(name, await token(args));
    }, 180_000);

    afterAll(async () => {
      await stack?.stop();
    });

    it('has examples', () => {
      expect(examples.length).toBeGreaterThanOrEqual(doc.atLeast);
    });

    for (const example of examples) {
      it(`${example.name} (line ${example.line})`, async () => {
        for (const step of example.steps) {
          const where = `${doc.file}:${step.line} (${example.name})`;
          const ran = await runCommand(step.command, shell);
          // DOC_EXAMPLES_PRINT=1: every answer, to write an example's stated answers from.
          if (process.env.DOC_EXAMPLES_PRINT) console.log(`${where} ${ran.status ?? ''} ${ran.body ?? ran.output}`);
          if (ran.status === undefined) continue;
          const problems: string[] = [];
          if (step.status !== undefined) {
            if (ran.status !== step.status) problems.push(`status: the doc says ${step.status}, the answer has ${ran.status}`);
          } else if (ran.status >= 400) problems.push(`status ${ran.status}, and the doc states no refusal`);
          for (const [name, value] of step.headers ?? []) {
            const actual = ran.headers?.[name];
            if (actual !== value) problems.push(`header ${name}: the doc says ${JSON.stringify(value)}, the answer has ${JSON.stringify(actual)}`);
          }
          if (step.body) {
            let parsed: unknown;
            try {
              parsed = JSON.parse(ran.body ?? '');
            } catch {
              parsed = ran.body;
            }
            problems.push(...mismatches(step.body, parsed, example.masks));
          }
          expect(problems, `${where}\n  ${step.command.replace(/\s+/g, ' ')}\n  answer: ${ran.body}`).toEqual([]);
        }
      });
    }
  });
}
