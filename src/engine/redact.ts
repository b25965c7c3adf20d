/** What a secret is replaced with. */
export const REDACTED = '[REDACTED]';

/** Known values shorter than this are not masked: a short one ("1", "true") would blank ordinary text. */
export const MIN_SECRET_LENGTH = 8;

/**
 * The BEGIN and END lines of a private key (PKCS#8, OPENSSH, RSA, EC, ENCRYPTED, PGP). Paired up
 * by {@link privateKeyBlocks} rather than by one regex over the whole block, which would scan
 * to the end of the text again for every BEGIN that has no END.
 */
const KEY_MARKER = /-----(BEGIN|END) [A-Z0-9 ]{0,40}PRIVATE KEY(?: BLOCK)?-----/g;
/** After a BEGIN, what says key material may follow: whitespace, an escaped newline, base64 or the end. */
const KEY_MATERIAL_NEXT = /^(?:\s|\\[nr]|[A-Za-z0-9+/=]|$)/;
/** `scheme://user:password@`: scheme and user are kept, the password goes (up to the host's last `@`). */
const URL_CREDENTIALS = /\b([a-z][a-z0-9+.-]{0,31}:\/\/[^/\s:@"'`]*:)([^\s/"'`]+)@/gi;

/**
 * Well-known token shapes, the kind prefix kept. They are matched without a word boundary in
 * front, since agents glue them to other text (`tokensk-ant-…`); a glued match must also look
 * random (see {@link looksRandom}), so `task-management-…` does not lose its `sk-…` tail.
 */
const TOKEN_SHAPES: readonly RegExp[] = [
  /(sk-(?:ant-|proj-|svcacct-|admin-)?)([A-Za-z0-9_-]{16,})/g,
  /([sr]k_live_)([A-Za-z0-9]{16,})/g, // Stripe
  /(gh[pousr]_)([A-Za-z0-9]{20,})/g,
  /(github_pat_)([A-Za-z0-9_]{20,})/g,
  /(AKIA|ASIA)([A-Z0-9]{16})(?![A-Za-z0-9])/g,
  /(xox[a-z]-)([A-Za-z0-9-]{10,})/g,
  /(AIza)([A-Za-z0-9_-]{30,})/g,
  /(glpat-)([A-Za-z0-9_-]{20,})/g,
  /(npm_)([A-Za-z0-9]{36,})/g,
];

/**
 * `Bearer <token>`; a trailing full stop is prose, not the token, and so is a token that is a
 * lower-case word (`Bearer authentication`).
 */
const BEARER = /\b([Bb]earer[ \t]+)([A-Za-z0-9._~+/-]*[A-Za-z0-9_~+/-]=*)/g;

/** Words that make a name a secret's: `AWS_SECRET_ACCESS_KEY`, `db.password`, `x-api-key`, `githubToken`. */
const SECRET_WORD = String.raw`(?:secrets?|tokens?|passw(?:or)?ds?|passphrase|api[_-]?keys?|access[_-]?keys?|private[_-]?keys?|credentials?|auth(?:orization)?)(?![a-z])`;
/**
 * `NAME=value`, `NAME: value`, `"NAME": "value"`, INI `name = value`: the name and separator
 * (group 1), then a quoted value (quote, text up to the same quote) or a bare one (an optional
 * auth scheme, text). A backslash before a quote is allowed: JSON serialised inside a string.
 */
const ASSIGNMENT = new RegExp(
  String.raw`(?<![\w.-])([\w.-]{0,64}?${SECRET_WORD}[\w.-]{0,64}\\?["']?[ \t]*(?::=|=(?!=)|:)[ \t]*)` +
    String.raw`(?:(\\?)(["'\x60])((?:(?!\3)[^\\\r\n])*)|((?:Bearer|Basic|Token)[ \t]+)?([^\s"'\x60\\,;&]*))`,
  'gi',
);

/**
 * What every pattern above needs somewhere in the text, case aside: a private key marker, `://`,
 * a token's prefix, `bearer` or a secret word. A text without any of these cannot match, so it
 * is returned after one scan instead of a dozen (output streams line by line, and almost no
 * line holds a secret). Keep it in step with the patterns: it may say yes too often, never no.
 */
const MAY_HOLD_SECRET =
  /PRIVATE KEY|:\/\/|sk-|k_live_|gh[pousr]_|github_pat_|AKIA|ASIA|xox[a-z]-|AIza|glpat-|npm_|bearer|secret|token|passw|passphrase|api[_-]?key|access[_-]?key|private[_-]?key|credential|auth/i;
/** The shortest text any pattern matches (`a://:p@`); known secrets are longer still. */
const SHORTEST_MATCH = 7;

/**
 * Replaces secrets in `text` with `[REDACTED]`, keeping a recognisable prefix (`sk-ant-[REDACTED]`,
 * `https://me:[REDACTED]@host`): by value for `known` secrets (the keys Gaffer knows, whatever
 * their shape), then by pattern — private key blocks, URL passwords, token shapes, and values
 * assigned to names that look secret.
 */
export function redactSecrets(text: string, known: readonly string[] = []): string {
  if (text.length < SHORTEST_MATCH) return text;
  let out = redactKnown(text, known);
  if (!MAY_HOLD_SECRET.test(out)) return out;
  out = cutBlocks(out, privateKeyBlocks(out));
  out = out.replace(URL_CREDENTIALS, (match: string, head: string, password: string) =>
    isReference(password) || password.includes(REDACTED) ? match : `${head}${REDACTED}@`,
  );
  for (const shape of TOKEN_SHAPES) {
    out = out.replace(shape, (match: string, prefix: string, body: string, at: number, all: string) =>
      gluedAt(all, at) && !looksRandom(body) ? match : `${prefix}${REDACTED}`,
    );
  }
  out = out.replace(BEARER, (match: string, prefix: string, token: string) =>
    token.length >= MIN_SECRET_LENGTH && !/^[a-z]+$/.test(token.replace(/^[A-Z]/, ''))
      ? `${prefix}${REDACTED}`
      : match,
  );
  return out.replace(ASSIGNMENT, redactAssignment);
}

/** Every known value, longest first (so a value containing another goes whole), also as JSON and URLs escape it. */
function redactKnown(text: string, known: readonly string[]): string {
  let out = text;
  for (const form of knownForms(known)) {
    if (out.includes(form)) out = out.split(form).join(REDACTED);
  }
  return out;
}

/** The forms of each list of known secrets, worked out once: a session redacts every line with the same list. */
const formsOf = new WeakMap<readonly string[], readonly string[]>();

function knownForms(known: readonly string[]): readonly string[] {
  if (known.length === 0) return known;
  let forms = formsOf.get(known);
  if (forms === undefined) {
    const unique = new Set<string>();
    for (const secret of known) {
      if (secret.length < MIN_SECRET_LENGTH) continue;
      unique.add(secret);
      unique.add(JSON.stringify(secret).slice(1, -1));
      unique.add(encodeURIComponent(secret));
    }
    forms = [...unique].sort((a, b) => b.length - a.length);
    formsOf.set(known, forms);
  }
  return forms;
}

function redactAssignment(
  match: string,
  head: string,
  escape: string | undefined,
  quote: string | undefined,
  quoted: string | undefined,
  scheme: string | undefined,
  bare: string | undefined,
): string {
  if (quote !== undefined) {
    const value = quoted ?? '';
    const schemed = /^((?:Bearer|Basic|Token)[ \t]+)(.*)$/i.exec(value);
    const secret = schemed?.[2] ?? value;
    if (secret.length < MIN_SECRET_LENGTH || isReference(secret) || secret.includes(REDACTED)) return match;
    return `${head}${escape ?? ''}${quote}${schemed?.[1] ?? ''}${REDACTED}`;
  }
  const value = bare ?? '';
  if (value.length < MIN_SECRET_LENGTH || isReference(value) || value.includes(REDACTED)) return match;
  // After an auth scheme the value is a credential whatever it looks like; otherwise code is kept.
  if (scheme === undefined && looksLikeCode(value, isEnvAssignment(head))) return match;
  return `${head}${scheme ?? ''}${REDACTED}`;
}

/** `$VAR`, `${VAR}`, `%VAR%`, `{{ var }}`, `<your-key>`, `****`: a placeholder, not a value. */
function isReference(value: string): boolean {
  return /^(?:\$|%[A-Za-z_]|\{\{|<[^>]*>$|\*+$)/.test(value);
}

/** `NAME=value` with an upper-case name and nothing around `=`: a shell or dotenv line, never code. */
function isEnvAssignment(head: string): boolean {
  return /^[A-Z][A-Z0-9_]*=$/.test(head);
}

/**
 * A bare value that is code or data, not a secret: a call or an index (`getToken()`,
 * `os.environ[…]`), a number (`"max_tokens": 100000`), a member chain without digits
 * (`process.env.API_KEY`, `self.token`) or — outside a shell assignment — a plain word
 * (`userInput`, `Credentials`, `undefined`, a TypeScript type).
 */
function looksLikeCode(value: string, envAssignment: boolean): boolean {
  if (/[()[\]{}<>]/.test(value) || /^\d+(?:\.\d+)?$/.test(value)) return true;
  if (/^[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)+$/.test(value) && !/\d/.test(value)) return true;
  return !envAssignment && /^[A-Za-z_]+$/.test(value);
}

/** Whether a match at `at` is glued to a word before it. */
function gluedAt(text: string, at: number): boolean {
  return at > 0 && /[A-Za-z0-9_]/.test(text.charAt(at - 1));
}

/** Random-looking: letters and digits, in mixed case or all upper case (unlike `my-long-name-2`). */
function looksRandom(body: string): boolean {
  if (!/\d/.test(body) || !/[A-Za-z]/.test(body)) return false;
  const lower = /[a-z]/.test(body);
  return !lower || /[A-Z]/.test(body);
}

interface Block {
  start: number;
  end: number;
}

/**
 * The private key blocks in `text`: each BEGIN to the first END after it, and a BEGIN whose END
 * has not come (yet) to the end of the text — if key material may follow it, so code that merely
 * names the marker in quotes is kept.
 */
function privateKeyBlocks(text: string): Block[] {
  const blocks: Block[] = [];
  let begun: number | undefined;
  let open: number | undefined;
  for (const marker of text.matchAll(KEY_MARKER)) {
    if (marker[1] === 'BEGIN') {
      begun ??= marker.index;
      if (open === undefined && opensKey(text, marker.index + marker[0].length)) open = marker.index;
    } else if (begun !== undefined) {
      blocks.push({ start: begun, end: marker.index + marker[0].length });
      begun = open = undefined;
    }
  }
  if (open !== undefined) blocks.push({ start: open, end: text.length });
  return blocks;
}

function opensKey(text: string, after: number): boolean {
  return KEY_MATERIAL_NEXT.test(text.slice(after, after + 2));
}

/** `text` with each block replaced by `[REDACTED]`. */
function cutBlocks(text: string, blocks: readonly Block[]): string {
  let out = '';
  let cursor = 0;
  for (const block of blocks) {
    out += text.slice(cursor, block.start) + REDACTED;
    cursor = block.end;
  }
  return out + text.slice(cursor);
}

/**
 * Whether the text ends inside a private key block: a BEGIN whose END has not come yet.
 * `inside` says whether the text before this piece already did.
 */
export function endsInsidePrivateKey(text: string, inside = false): boolean {
  if (!text.includes('PRIVATE KEY')) return inside;
  let open = inside;
  for (const marker of text.matchAll(KEY_MARKER)) {
    if (marker[1] === 'END') open = false;
    else if (opensKey(text, marker.index + marker[0].length)) open = true;
  }
  return open;
}

/**
 * Removes private key blocks that span several pieces of text (output recorded line by line, one
 * piece per line), as if the pieces were one text: the piece where a block starts keeps what
 * came before it and a `[REDACTED]`, a piece wholly inside a block is dropped (undefined), the
 * piece where it ends keeps what follows. Other secrets are left to {@link redactSecrets}.
 */
export function redactKeysAcross(pieces: readonly string[]): (string | undefined)[] {
  const joined = pieces.join('\n');
  const blocks = privateKeyBlocks(joined);
  if (blocks.length === 0) return [...pieces];
  let offset = 0;
  return pieces.map((piece) => {
    const start = offset;
    const end = start + piece.length;
    offset = end + 1;
    if (blocks.some((b) => b.start < start && end <= b.end)) return undefined;
    let out = '';
    let cursor = start;
    for (const block of blocks) {
      if (block.end <= start || block.start >= end) continue;
      out += joined.slice(cursor, Math.max(block.start, start));
      if (block.start >= start) out += REDACTED;
      cursor = Math.min(block.end, end);
    }
    return out + joined.slice(cursor, end);
  });
}

/** Redacts every string inside a JSON-like value (before it is serialised, so quoting cannot hide a secret). */
export function redactDeep<T>(value: T, known: readonly string[] = []): T {
  if (typeof value === 'string') return redactSecrets(value, known) as T;
  if (Array.isArray(value)) return value.map((item: unknown) => redactDeep(item, known)) as T;
  if (value !== null && typeof value === 'object') {
    // A loop, not Object.fromEntries(entries.map(…)): this runs for every line an agent prints.
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
      const redacted = redactDeep(item, known);
      // A `__proto__` key parsed from JSON is data: assigning it would set the prototype instead.
      if (key === '__proto__')
        Object.defineProperty(out, key, {
          value: redacted,
          enumerable: true,
          writable: true,
          configurable: true,
        });
      else out[key] = redacted;
    }
    return out as T;
  }
  return value;
}
