/**
 * The worked examples of a doc (docs/api.md), read from the doc itself so the
 * doc and its test cannot drift: an HTML comment marker right before a fenced
 * `sh` block,
 *
 *   <!-- example: pos-purchase; mask: availableAt, items.*.id -->
 *
 * makes the block an example. Its `curl` commands run in order against a fresh
 * local stack; a command followed by a `# ` comment that starts with `{`, `[`
 * or a status and `{` (`# 409 {"code":...}`) states the answer, and the answer
 * must match it (see `matches`). `NAME=$(...)` lines set shell variables the
 * later commands use. The format is described for doc writers in docs/api.md
 * ("Worked examples").
 */

/** A documented answer, with `...` where the doc leaves values or members out. */
export type Pattern =
  | { readonly kind: 'any' }
  | { readonly kind: 'literal'; readonly value: string | number | boolean | null }
  | { readonly kind: 'prefix'; readonly value: string }
  | { readonly kind: 'object'; readonly fields: ReadonlyMap<string, Pattern> }
  | { readonly kind: 'array'; readonly items: readonly Pattern[]; readonly openStart: boolean; readonly openEnd: boolean };

/** One command of an example: a shell assignment or a curl call, with what the doc says it answers. */
export interface ExampleStep {
  /** The command as written (continuation lines joined), for messages. */
  readonly command: string;
  /** Line of the command in the doc (1-based). */
  readonly line: number;
  /** The documented status, when the comment names one (`# 409 {...}`). */
  readonly status?: number;
  /** The documented body, when the comment gives one. */
  readonly body?: Pattern;
  /** The documented body as written, for messages. */
  readonly bodyText?: string;
  /** The documented headers (`# HTTP/1.1 200 OK` then `# name: value` lines of `curl -i`), names in lower case. */
  readonly headers?: ReadonlyMap<string, string>;
}

export interface DocExample {
  readonly name: string;
  /** Line of the marker (1-based). */
  readonly line: number;
  /** Paths whose values vary per run (ids, times): only their presence and JSON type are compared. */
  readonly masks: readonly string[];
  readonly steps: readonly ExampleStep[];
}

const MARKER = /^<!--\s*example:\s*([^;]+?)\s*(?:;\s*mask:\s*(.*?)\s*)?-->\s*$/;

/** The examples of a Markdown text, in document order. */
export function extractExamples(markdown: string): DocExample[] {
  const lines = markdown.split('\n');
  const examples: DocExample[] = [];
  let fenced = false;
  for (let i = 0; i < lines.length; i += 1) {
    // A marker shown inside a fenced block (as the doc explains the format) is text, not a marker.
    if (/^```/.test(lines[i] ?? '')) fenced = !fenced;
    if (fenced) continue;
    const marker = MARKER.exec(lines[i] ?? '');
    if (!marker) {
      if (/^<!--\s*example\b/.test(lines[i] ?? '')) throw new Error(`docs line ${i + 1}: malformed example marker: ${lines[i]}`);
      continue;
    }
    const open = lines[i + 1] ?? '';
    if (!/^```(sh|bash)\s*$/.test(open)) throw new Error(`docs line ${i + 2}: an example marker must be followed by a \`\`\`sh block`);
    const start = i + 2;
    let end = start;
    while (end < lines.length && !/^```\s*$/.test(lines[end] ?? '')) end += 1;
    if (end >= lines.length) throw new Error(`docs line ${i + 1}: the example's block is not closed`);
    examples.push({
      name: marker[1] ?? '',
      line: i + 1,
      masks: (marker[2] ?? '').split(',').map((m) => m.trim()).filter(Boolean),
      steps: parseSteps(lines.slice(start, end), start + 1),
    });
    i = end;
  }
  const names = new Set<string>();
  for (const e of examples) {
    if (names.has(e.name)) throw new Error(`docs line ${e.line}: example name "${e.name}" is used twice`);
    names.add(e.name);
  }
  return examples;
}

/** Whether a comment line opens a documented answer: `{`, `[` or `NNN {`. */
const ANSWER = /^(?:(\d{3})\s+)?([{[].*)$/;

function parseSteps(lines: readonly string[], firstLine: number): ExampleStep[] {
  const steps: ExampleStep[] = [];
  let i = 0;
  while (i < lines.length) {
    const text = lines[i] ?? '';
    if (text.trim() === '' || text.startsWith('#')) {
      i += 1;
      continue;
    }
    // A command: continuation lines end with `\`, or a quote is still open.
    const line = firstLine + i;
    let command = text;
    while ((command.endsWith('\\') || openQuote(command)) && i + 1 < lines.length) {
      i += 1;
      command = command.endsWith('\\') ? `${command.slice(0, -1)} ${(lines[i] ?? '').trim()}` : `${command}\n${lines[i] ?? ''}`;
    }
    i += 1;
    // Its answer: the first comment line that opens one, then the lines until the brackets balance.
    let status: number | undefined;
    let bodyText: string | undefined;
    let headers: Map<string, string> | undefined;
    while (i < lines.length && (lines[i] ?? '').startsWith('#')) {
      const comment = (lines[i] ?? '').replace(/^#\s?/, '');
      // `curl -i`: the status line, then the headers shown (the answer may leave some out).
      const statusLine = /^HTTP\/[\d.]+ (\d{3})\b/.exec(comment);
      if (statusLine && bodyText === undefined && headers === undefined) {
        status = Number(statusLine[1]);
        headers = new Map();
        while (i + 1 < lines.length) {
          const header = /^#\s?([A-Za-z0-9-]+): (.*)$/.exec(lines[i + 1] ?? '');
          if (!header) break;
          headers.set((header[1] ?? '').toLowerCase(), (header[2] ?? '').trim());
          i += 1;
        }
        i += 1;
        continue;
      }
      const answer = ANSWER.exec(comment);
      if (bodyText === undefined && answer) {
        status = answer[1] === undefined ? status : Number(answer[1]);
        bodyText = answer[2] ?? '';
        while (!balanced(bodyText) && i + 1 < lines.length && (lines[i + 1] ?? '').startsWith('#')) {
          i += 1;
          // A line break inside a string stands for one space (the docs break long strings between words).
          bodyText += ` ${(lines[i] ?? '').replace(/^#\s*/, '')}`;
        }
      }
      i += 1;
    }
    steps.push({
      command,
      line,
      ...(status === undefined ? {} : { status }),
      ...(bodyText === undefined ? {} : { body: parsePattern(bodyText, line), bodyText }),
      ...(headers === undefined ? {} : { headers }),
    });
  }
  return steps;
}

function openQuote(text: string): boolean {
  let quote: string | undefined;
  for (let i = 0; i < text.length; i += 1) {
    const c = text[i];
    if (quote === undefined) {
      if (c === '\\') i += 1;
      else if (c === "'" || c === '"') quote = c;
    } else if (quote === '"' && c === '\\') i += 1;
    else if (c === quote) quote = undefined;
  }
  return quote !== undefined;
}

function balanced(text: string): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i += 1) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i += 1;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '{' || c === '[') depth += 1;
    else if (c === '}' || c === ']') depth -= 1;
  }
  return depth <= 0;
}

/**
 * Parses a documented answer: JSON, where `...` may stand for members of an object (others may follow), for
 * items of an array (at its start or end: more items there), or for a value (anything); a string `"..."` is any
 * value, and a string ending in `...` (`"Smart watch flash sale ..."`) any string starting with what comes before.
 */
export function parsePattern(text: string, line = 0): Pattern {
  let pos = 0;
  const fail = (what: string): never => {
    throw new Error(`docs line ${line}: documented answer: ${what} at "${text.slice(pos, pos + 30)}"`);
  };
  const ws = () => {
    while (pos < text.length && /\s/.test(text[pos] ?? '')) pos += 1;
  };
  const ellipsis = () => {
    ws();
    if (text.startsWith('...', pos)) {
      pos += 3;
      return true;
    }
    return false;
  };
  const string = (): string => {
    const start = pos;
    pos += 1;
    while (pos < text.length && text[pos] !== '"') pos += text[pos] === '\\' ? 2 : 1;
    if (pos >= text.length) fail('unterminated string');
    pos += 1;
    return JSON.parse(text.slice(start, pos)) as string;
  };
  const value = (): Pattern => {
    ws();
    const c = text[pos];
    if (ellipsis()) return { kind: 'any' };
    if (c === '{') {
      pos += 1;
      const fields = new Map<string, Pattern>();
      ws();
      if (text[pos] === '}') {
        pos += 1;
        return { kind: 'object', fields };
      }
      for (;;) {
        if (!ellipsis()) {
          ws();
          if (text[pos] !== '"') fail('expected a member name');
          const key = string();
          ws();
          if (text[pos] !== ':') fail('expected ":"');
          pos += 1;
          fields.set(key, value());
        }
        ws();
        if (text[pos] === ',') pos += 1;
        else if (text[pos] === '}') {
          pos += 1;
          return { kind: 'object', fields };
        } else fail('expected "," or "}"');
      }
    }
    if (c === '[') {
      pos += 1;
      const items: Pattern[] = [];
      let openStart = false;
      let openEnd = false;
      ws();
      if (text[pos] === ']') {
        pos += 1;
        return { kind: 'array', items, openStart, openEnd };
      }
      for (;;) {
        if (ellipsis()) {
          if (items.length === 0) openStart = true;
          else openEnd = true;
        } else {
          if (openEnd) fail('"..." inside an array may only be at its start or end');
          items.push(value());
        }
        ws();
        if (text[pos] === ',') pos += 1;
        else if (text[pos] === ']') {
          pos += 1;
          // `[...]` alone: any array.
          if (items.length === 0 && openStart) openEnd = true;
          return { kind: 'array', items, openStart, openEnd };
        } else fail('expected "," or "]"');
      }
    }
    if (c === '"') {
      const s = string();
      if (s === '...') return { kind: 'any' };
      if (s.endsWith('...')) return { kind: 'prefix', value: s.slice(0, -3) };
      return { kind: 'literal', value: s };
    }
    const literal = /^(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null)/.exec(text.slice(pos));
    if (!literal?.[1]) return fail('expected a value');
    pos += literal[1].length;
    return { kind: 'literal', value: JSON.parse(literal[1]) as number | boolean | null };
  };
  const pattern = value();
  ws();
  if (pos < text.length) fail('text after the answer');
  return pattern;
}

function typeOf(value: unknown): string {
  return value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;
}

function masked(path: string, masks: readonly string[]): boolean {
  const parts = path.split('.');
  return masks.some((mask) => {
    const m = mask.split('.');
    return m.length === parts.length && m.every((p, i) => p === '*' || p === parts[i]);
  });
}

/**
 * The differences between a documented answer and the real one, as `path: ...` lines (none: it matches). Every
 * member and item the doc states must be there with the value it states; members the doc does not name may be
 * added. A masked path (`mask:` of the marker; `*` for any member or item) must be there with a value of the
 * documented JSON type.
 */
export function mismatches(pattern: Pattern, actual: unknown, masks: readonly string[] = [], path = ''): string[] {
  const at = path || '(answer)';
  if (path && masked(path, masks)) {
    if (pattern.kind === 'literal' && typeOf(pattern.value) !== typeOf(actual))
      return [`${at}: masked, but the doc shows a ${typeOf(pattern.value)} and the answer has ${JSON.stringify(actual)}`];
    return actual === undefined ? [`${at}: missing`] : [];
  }
  switch (pattern.kind) {
    case 'any':
      return actual === undefined ? [`${at}: missing`] : [];
    case 'literal':
      return actual === pattern.value ? [] : [`${at}: the doc says ${JSON.stringify(pattern.value)}, the answer has ${JSON.stringify(actual)}`];
    case 'prefix':
      return typeof actual === 'string' && actual.startsWith(pattern.value)
        ? []
        : [`${at}: the doc says "${pattern.value}...", the answer has ${JSON.stringify(actual)}`];
    case 'object': {
      if (typeOf(actual) !== 'object') return [`${at}: the doc shows an object, the answer has ${JSON.stringify(actual)}`];
      const record = actual as Record<string, unknown>;
      return [...pattern.fields].flatMap(([key, p]) =>
        Object.hasOwn(record, key) ? mismatches(p, record[key], masks, path ? `${path}.${key}` : key) : [`${path ? `${path}.${key}` : key}: missing`],
      );
    }
    case 'array': {
      if (!Array.isArray(actual)) return [`${at}: the doc shows an array, the answer has ${JSON.stringify(actual)}`];
      const n = pattern.items.length;
      if (pattern.openStart && pattern.openEnd ? actual.length < n : pattern.openStart || pattern.openEnd ? actual.length < n : actual.length !== n)
        return [`${at}: the doc lists ${n}${pattern.openStart || pattern.openEnd ? ' or more' : ''} items, the answer has ${actual.length}`];
      // Items listed after a leading `...` are the last ones; otherwise the first ones.
      const offset = pattern.openStart && !pattern.openEnd ? actual.length - n : 0;
      return pattern.items.flatMap((p, i) => mismatches(p, actual[offset + i], masks, `${path ? `${path}.` : ''}${offset + i}`));
    }
  }
}

/** What an example's shell needs from the test: the answers of `curl` and `npm run -s token`. */
export interface ExampleShell {
  /** Shell variables (`MEMBER`, and what `NAME=$(...)` lines set). */
  readonly vars: Map<string, string>;
  /** `curl` with its arguments, the URL already pointing at the stack: the status and the text it prints. */
  curl(args: readonly string[]): Promise<{ status: number; output: string; body: string; headers?: Readonly<Record<string, string>> }>;
  /** `npm run -s token -- <args>`: a token. */
  token(args: readonly string[]): Promise<string>;
  /** The time `date` reads. */
  now(): Date;
}

/**
 * Splits a command into pipeline stages of words as a POSIX shell would for the forms the docs use: single and
 * double quotes, backslash escapes, `$VAR`, `${VAR}` and `$(...)` (run through `run`), `|` and a `#` comment.
 * No word splitting of expansions, globbing or redirections: the docs do not need them.
 */
export async function shellWords(command: string, shell: ExampleShell): Promise<string[][]> {
  const stages: string[][] = [[]];
  let word: string | undefined;
  let i = 0;
  const append = (s: string) => {
    word = (word ?? '') + s;
  };
  const expand = async (): Promise<string> => {
    // at text[i] === '$'
    if (command[i + 1] === '(') {
      let depth = 0;
      let j = i + 1;
      let quote: string | undefined;
      for (; j < command.length; j += 1) {
        const c = command[j];
        if (quote) {
          if (c === quote) quote = undefined;
          else if (quote === '"' && c === '\\') j += 1;
        } else if (c === "'" || c === '"') quote = c;
        else if (c === '(') depth += 1;
        else if (c === ')' && --depth === 0) break;
      }
      if (j >= command.length) throw new Error(`unclosed $( in: ${command}`);
      const inner = command.slice(i + 2, j);
      i = j + 1;
      return (await runCommand(inner, shell)).output.replace(/\n+$/, '');
    }
    const name = command[i + 1] === '{' ? /^\$\{([A-Za-z_]\w*)\}/.exec(command.slice(i)) : /^\$([A-Za-z_]\w*)/.exec(command.slice(i));
    if (!name?.[1]) {
      i += 1;
      return '$';
    }
    i += name[0].length;
    const value = shell.vars.get(name[1]);
    if (value === undefined) throw new Error(`$${name[1]} is not set: define it in the example (NAME=$(...)) or in the doc's token variables`);
    return value;
  };
  while (i < command.length) {
    const c = command[i] ?? '';
    if (/\s/.test(c)) {
      if (word !== undefined) (stages.at(-1) ?? []).push(word);
      word = undefined;
      i += 1;
    } else if (c === '#' && word === undefined) break;
    else if (c === '|') {
      if (word !== undefined) (stages.at(-1) ?? []).push(word);
      word = undefined;
      stages.push([]);
      i += 1;
    } else if (c === "'") {
      const end = command.indexOf("'", i + 1);
      if (end < 0) throw new Error(`unclosed ' in: ${command}`);
      append(command.slice(i + 1, end));
      i = end + 1;
    } else if (c === '"') {
      append('');
      i += 1;
      while (i < command.length && command[i] !== '"') {
        if (command[i] === '\\' && '"\\$`'.includes(command[i + 1] ?? '')) {
          append(command[i + 1] ?? '');
          i += 2;
        } else if (command[i] === '$') append(await expand());
        else {
          append(command[i] ?? '');
          i += 1;
        }
      }
      if (i >= command.length) throw new Error(`unclosed " in: ${command}`);
      i += 1;
    } else if (c === '\\') {
      append(command[i + 1] ?? '');
      i += 2;
    } else if (c === '$') append(await expand());
    else {
      append(c);
      i += 1;
    }
  }
  if (word !== undefined) (stages.at(-1) ?? []).push(word);
  return stages.filter((s) => s.length > 0);
}

/** A sed `s/regex/replacement/[g]` (basic regular expressions as GNU sed reads the docs' ones), on each line. */
function sed(script: string, input: string): string {
  const m = /^s\/((?:\\.|[^/])*)\/((?:\\.|[^/])*)\/(g?)$/.exec(script);
  if (!m) throw new Error(`the example runner knows only sed 's/regex/replacement/[g]', not: ${script}`);
  const source = (m[1] ?? '').replace(/\\([(){}+?|])|([(){}+?|])/g, (_, escaped: string | undefined, plain: string | undefined) =>
    escaped ? escaped : `\\${plain}`,
  );
  const replacement = (m[2] ?? '').replace(/\\(\d)/g, '$$$1').replace(/(^|[^\\])&/g, '$1$$&');
  const re = new RegExp(source, m[3] ? 'g' : '');
  return input
    .split('\n')
    .map((line) => line.replace(re, replacement))
    .join('\n');
}

/**
 * `[TZ=Zone] date [-u] [-d '+N unit'] +%FT%TZ|+%F` as GNU date prints it: `+%FT%TZ` a UTC time (with or without
 * `-u`: the docs write it with), `+%F` the day in `TZ` (an IANA zone; UTC without one, or with `-u`).
 */
function date(args: readonly string[], now: Date, timeZone?: string): string {
  let at = now.getTime();
  let format = '+%a %b %e %H:%M:%S UTC %Y';
  let utc = false;
  for (let i = 0; i < args.length; i += 1) {
    const a = args[i] ?? '';
    if (a === '-u') utc = true;
    else if (a === '-d') {
      const m = /^([+-]\d+)\s*(sec|second|min|minute|hour|day|week)s?$/.exec(args[++i] ?? '');
      if (!m) throw new Error(`the example runner knows only date -d '+N sec|min|hour|day|week', not: ${args[i]}`);
      const unit = { sec: 1, second: 1, min: 60, minute: 60, hour: 3600, day: 86_400, week: 604_800 }[m[2] as 'sec'];
      at += Number(m[1]) * unit * 1000;
    } else if (a.startsWith('+')) format = a;
    else throw new Error(`the example runner does not know date ${a}`);
  }
  if (format === '+%FT%TZ') return `${new Date(at).toISOString().slice(0, 19)}Z`;
  if (format === '+%F') return new Intl.DateTimeFormat('en-CA', { timeZone: utc ? 'UTC' : (timeZone ?? 'UTC') }).format(new Date(at));
  throw new Error(`the example runner knows only date +%FT%TZ and +%F, not: ${format}`);
}

/** Runs one command line of an example; for a lone `curl`, its status and body too. */
export async function runCommand(
  command: string,
  shell: ExampleShell,
): Promise<{ output: string; status?: number; body?: string; headers?: Readonly<Record<string, string>> }> {
  const stages = await shellWords(command, shell);
  let output = '';
  let status: number | undefined;
  let body: string | undefined;
  let headers: Readonly<Record<string, string>> | undefined;
  for (const [n, words] of stages.entries()) {
    let [program, ...args] = words;
    // `TZ=Zone date ...`: the one environment prefix the docs use.
    const tz = /^TZ=(.+)$/.exec(program ?? '');
    if (tz && args[0] === 'date') [program, ...args] = args;
    const assignment = /^([A-Za-z_]\w*)=(.*)$/s.exec(program ?? '');
    if (assignment && args.length === 0 && stages.length === 1) {
      shell.vars.set(assignment[1] ?? '', assignment[2] ?? '');
      return { output: '' };
    }
    if (program === 'curl') {
      if (n > 0) throw new Error('curl must come first in a pipeline');
      const answer = await shell.curl(args);
      ({ output, status, body, headers } = answer);
    } else if (program === 'npm' && args.slice(0, 4).join(' ') === 'run -s token --') output = `${await shell.token(args.slice(4))}\n`;
    else if (program === 'date') output = `${date(args, shell.now(), tz?.[1])}\n`;
    else if (program === 'sleep' && stages.length === 1 && /^\d+(\.\d+)?$/.test(args[0] ?? '') && Number(args[0]) <= 10) {
      await new Promise((resolve) => setTimeout(resolve, Number(args[0]) * 1000));
    }
    else if (program === 'uuidgen') output = `${crypto.randomUUID()}\n`;
    else if (program === 'sed' && n > 0 && args.length === 1) output = sed(args[0] ?? '', output);
    else if (program === 'head' && n > 0 && /^-\d+$/.test(args[0] ?? '')) output = output.split('\n').slice(0, Number((args[0] ?? '').slice(1))).join('\n');
    else throw new Error(`the example runner does not run "${words.join(' ')}" (known: curl, npm run -s token, [TZ=...] date, uuidgen, sleep up to 10 s, | sed, | head)`);
  }
  const head = { ...(status === undefined ? {} : { status }), ...(headers === undefined ? {} : { headers }) };
  // A piped curl (`curl -si ... | head -5`): its status and headers, not its body (the pipe changed it).
  return stages.length === 1 ? { output, ...head, ...(body === undefined ? {} : { body }) } : { output, ...head };
}
