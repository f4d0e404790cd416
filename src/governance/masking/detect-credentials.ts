/**
 * Detectors for credentials inside text: PEM private keys, JWTs, cloud and SaaS keys by their documented prefixes,
 * `Bearer`/`Basic` authorization values, passwords in URLs and key/value strings, and other `secret=`/`token:`
 * assignments. Only the secret part is reported (`postgres://app:[REDACTED:password]@db`), so the rest stays
 * readable. Every pattern starts with a literal or is bounded, so none can backtrack without limit.
 */
import { CH } from './text-features.js';
import { defineDetector, type DetectorType, type Span } from './value-detector.js';

function pushMatches(re: RegExp, type: DetectorType, text: string, out: Span[], accept?: (m: RegExpExecArray) => boolean): void {
  re.lastIndex = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    if (m[0].length === 0) {
      re.lastIndex++;
      continue;
    }
    if (!accept || accept(m)) out.push({ type, start: m.index, end: m.index + m[0].length });
  }
}

/** Pushes the span of capture group `group`, located inside the whole match by searching from its end backwards. */
function pushGroup(m: RegExpExecArray, group: string | undefined, type: DetectorType, out: Span[]): void {
  if (!group) return;
  const start = m.index + m[0].lastIndexOf(group);
  out.push({ type, start, end: start + group.length });
}

const PEM_BEGIN = /-----BEGIN (?:[A-Z0-9]+ ){0,4}PRIVATE KEY(?: BLOCK)?-----/g;
const PEM_END = /-----END (?:[A-Z0-9]+ ){0,4}PRIVATE KEY(?: BLOCK)?-----/g;

/** From the BEGIN line to the END line; a key cut off before its END line is masked to the end of the text. */
function findPrivateKeys(text: string, out: Span[]): void {
  if (!text.includes('PRIVATE KEY')) return;
  PEM_BEGIN.lastIndex = 0;
  for (let m = PEM_BEGIN.exec(text); m; m = PEM_BEGIN.exec(text)) {
    PEM_END.lastIndex = m.index + m[0].length;
    const end = PEM_END.exec(text);
    const stop = end ? end.index + end[0].length : text.length;
    out.push({ type: 'private_key', start: m.index, end: stop });
    PEM_BEGIN.lastIndex = stop;
  }
}

export const privateKeyDetector = defineDetector({
  type: 'private_key',
  family: 'credential',
  requires: { allMarks: CH.DASH, minUpper: 15 },
  find: findPrivateKeys,
});

/** Header and payload, then a signature (empty for `alg: none`); JWE has two more segments. */
const JWT = /(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{2,}\.[A-Za-z0-9_-]*(?:\.[A-Za-z0-9_-]+){0,2}/g;

function jwtHeaderValid(token: string): boolean {
  try {
    const header = JSON.parse(Buffer.from(token.slice(0, token.indexOf('.')), 'base64url').toString('utf8')) as unknown;
    return typeof header === 'object' && header !== null && typeof (header as { alg?: unknown }).alg === 'string';
  } catch {
    return false;
  }
}

export const jwtDetector = defineDetector({
  type: 'jwt',
  family: 'credential',
  requires: { allMarks: CH.DOT, minToken: 8, minUpper: 1 },
  find: (text, out) => {
    if (text.includes('eyJ')) pushMatches(JWT, 'jwt', text, out, (m) => jwtHeaderValid(m[0]));
  },
});

/** The 40-character secret, only after a key name: alone it is indistinguishable from other base64. */
const AWS_SECRET = /secret_?access_?key["']?\s{0,3}[:=]>?\s{0,3}["']?([A-Za-z0-9/+=]{40})(?![A-Za-z0-9/+=])/gi;

export const awsSecretDetector = defineDetector({
  type: 'aws_secret_access_key',
  family: 'credential',
  requires: { minToken: 40, anyMarks: CH.COLON | CH.EQUALS },
  find: (text, out) => {
    AWS_SECRET.lastIndex = 0;
    for (let m = AWS_SECRET.exec(text); m; m = AWS_SECRET.exec(text)) pushGroup(m, m[1], 'aws_secret_access_key', out);
  },
});

/** Long-term (AKIA) and temporary (ASIA) access key ids. */
const AWS_KEY_ID = /(?<![A-Za-z0-9])(?:AKIA|ASIA)[A-Z0-9]{16}(?![A-Za-z0-9])/g;

export const awsKeyIdDetector = defineDetector({
  type: 'aws_access_key_id',
  family: 'credential',
  requires: { minUpper: 12, minToken: 20 },
  find: (text, out) => pushMatches(AWS_KEY_ID, 'aws_access_key_id', text, out),
});

const GCP_API_KEY = /(?<![A-Za-z0-9_-])AIza[0-9A-Za-z_-]{35}(?![A-Za-z0-9_-])/g;

export const gcpKeyDetector = defineDetector({
  type: 'gcp_api_key',
  family: 'credential',
  requires: { minToken: 39 },
  find: (text, out) => pushMatches(GCP_API_KEY, 'gcp_api_key', text, out),
});

/** Classic tokens (`ghp_` personal, `gho_` OAuth, `ghu_`/`ghs_` app, `ghr_` refresh) and fine-grained `github_pat_`. */
const GITHUB_TOKEN = /(?<![A-Za-z0-9])(?:gh[pousr]_[A-Za-z0-9]{36,251}|github_pat_[A-Za-z0-9_]{22,244})(?![A-Za-z0-9])/g;

export const githubTokenDetector = defineDetector({
  type: 'github_token',
  family: 'credential',
  requires: { minToken: 33 },
  find: (text, out) => pushMatches(GITHUB_TOKEN, 'github_token', text, out),
});

/** Bot, user, app-level, refresh and config tokens. */
const SLACK_TOKEN = /(?<![A-Za-z0-9])(?:xox[abeoprs]-[A-Za-z0-9-]{10,250}|xapp-\d-[A-Za-z0-9-]{10,250})/g;

export const slackTokenDetector = defineDetector({
  type: 'slack_token',
  family: 'credential',
  requires: { minToken: 15, allMarks: CH.DASH },
  find: (text, out) => pushMatches(SLACK_TOKEN, 'slack_token', text, out),
});

/** Secret and restricted keys; test-mode keys too: they still open an account. */
const STRIPE_KEY = /(?<![A-Za-z0-9])(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{10,247}(?![A-Za-z0-9])/g;

export const stripeKeyDetector = defineDetector({
  type: 'stripe_key',
  family: 'credential',
  requires: { minToken: 18 },
  find: (text, out) => pushMatches(STRIPE_KEY, 'stripe_key', text, out),
});

const BEARER = /\bbearer[ \t]{1,8}([A-Za-z0-9._~+/-]{8,4096}=*)/gi;

/** A word after "Bearer" in prose (`the Bearer authentication scheme`) is not a token: tokens have digits or symbols. */
function looksLikeToken(token: string): boolean {
  if (/[^A-Za-z]/.test(token)) return true;
  return token.length >= 20 && /[a-z]/.test(token) && /[A-Z]/.test(token);
}

export const bearerDetector = defineDetector({
  type: 'bearer_token',
  family: 'credential',
  requires: { allMarks: CH.SPACE, minToken: 8, minLength: 15 },
  find: (text, out) => {
    if (!text.includes('earer') && !text.includes('EARER')) return;
    BEARER.lastIndex = 0;
    for (let m = BEARER.exec(text); m; m = BEARER.exec(text)) if (looksLikeToken(m[1] ?? '')) pushGroup(m, m[1], 'bearer_token', out);
  },
});

const BASIC = /\bbasic[ \t]{1,8}([A-Za-z0-9+/]{6,4096}={0,2})(?![A-Za-z0-9+/=])/gi;

/** `Basic` credentials decode to printable `user:password`; an English word after "Basic" decodes to noise. */
function basicCredentialsValid(value: string): boolean {
  const decoded = Buffer.from(value, 'base64').toString('latin1');
  return decoded.includes(':') && /^[\x20-\x7e]+$/.test(decoded);
}

export const basicAuthDetector = defineDetector({
  type: 'basic_auth',
  family: 'credential',
  requires: { allMarks: CH.SPACE, minToken: 6, minLength: 12 },
  find: (text, out) => {
    if (!text.includes('asic') && !text.includes('ASIC')) return;
    BASIC.lastIndex = 0;
    for (let m = BASIC.exec(text); m; m = BASIC.exec(text)) if (basicCredentialsValid(m[1] ?? '')) pushGroup(m, m[1], 'basic_auth', out);
  },
});

/** Where the authority of a URL ends, for the purpose of finding `user:password@` in it. */
function endsAuthority(c: number): boolean {
  return c <= 32 || c === 34 || c === 39 || c === 60 || c === 62 || c === 96 || c === 63 || c === 35;
}

/**
 * `scheme://user:password@host`: the password runs from the first `:` after `://` to the last `@` of the authority,
 * so an unencoded `@` or `/` inside the password is still covered.
 */
function findUrlPasswords(text: string, out: Span[]): void {
  for (let k = text.indexOf('://'); k !== -1; k = text.indexOf('://', k + 3)) {
    const from = k + 3;
    let e = from;
    while (e < text.length && e - from < 1024 && !endsAuthority(text.charCodeAt(e))) e++;
    const at = text.lastIndexOf('@', e - 1);
    if (at < from) continue;
    const colon = text.indexOf(':', from);
    if (colon === -1 || colon >= at - 1) continue;
    out.push({ type: 'password', start: colon + 1, end: at });
  }
}

/** Values that are already masked, or empty-ish literals, are not secrets. Keeps masking idempotent. */
const NOT_A_VALUE = /^(?:null|none|nil|true|false|undefined|\*+|\[REDACTED:?[a-z_]*\]?|h:[0-9a-f]{16})$/i;

/** Key names whose value is a password (`PGPASSWORD`, `db_password`, `passwd`, `pwd`, `pass`). */
const PASSWORD_KEY = /(?:passw(?:or)?d|passphrase|(?<![a-z])pass|(?<![a-z])pwd)$/;
/** Key names whose value is another credential (`client_secret`, `access_token`, `X-Api-Key`, `secret_key`). */
const CREDENTIAL_KEY = /(?:secret(?:[_-]?key)?|token|api[_-]?key|apikey|access[_-]?key|private[_-]?key)$/;
/** The last letter of every key above: a cheap test before the key is cut out and lower-cased. */
const KEY_LAST_LETTERS = new Set([100, 101, 115, 116, 121, 110, 68, 69, 83, 84, 89, 78]); // d e s t y n, both cases

const isKeyChar = (c: number) => (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95 || c === 45 || c === 46;
const endsUnquoted = (c: number) => c <= 32 || c === 34 || c === 39 || c === 60 || c === 62 || c === 59 || c === 38 || c === 44 || c === 41 || c === 125 || c === 93;

/**
 * `key = value` and `key: value` where the key names a credential: `password=hunter2` in a DSN, `PGPASSWORD=x` in
 * an env file, `"client_secret": "x"` in JSON text, `X-Api-Key: x` in a header dump. Scanned from each `:` and `=`
 * backwards to the key, so texts full of times (`10:00`) cost a character test each.
 */
function findAssignments(text: string, keys: RegExp, type: DetectorType, out: Span[]): void {
  const n = text.length;
  for (let k = 0; k < n; k++) {
    const sep = text.charCodeAt(k);
    if (sep !== 58 && sep !== 61) continue;
    let e = k;
    while (e > 0 && k - e < 3 && text.charCodeAt(e - 1) === 32) e--;
    if (e > 0 && (text.charCodeAt(e - 1) === 34 || text.charCodeAt(e - 1) === 39)) e--;
    if (e === 0 || !KEY_LAST_LETTERS.has(text.charCodeAt(e - 1))) continue;
    let s = e;
    while (s > 0 && e - s < 64 && isKeyChar(text.charCodeAt(s - 1))) s--;
    if (!keys.test(text.slice(s, e).toLowerCase())) continue;
    let v = k + 1;
    if (sep === 61 && text.charCodeAt(v) === 62) v++; // =>
    for (let spaces = 0; spaces < 3 && text.charCodeAt(v) === 32; spaces++) v++;
    const quote = text.charCodeAt(v);
    let start = v;
    let end: number;
    if (quote === 34 || quote === 39) {
      start = v + 1;
      end = start;
      while (end < n && end - start < 512 && text.charCodeAt(end) !== quote && text.charCodeAt(end) !== 10) end++;
      if (text.charCodeAt(end) !== quote) continue;
    } else {
      end = v;
      while (end < n && end - start < 512 && !endsUnquoted(text.charCodeAt(end))) end++;
    }
    if (end === start || NOT_A_VALUE.test(text.slice(start, end))) continue;
    out.push({ type, start, end });
    k = end;
  }
}

export const passwordDetector = defineDetector({
  type: 'password',
  family: 'credential',
  requires: { anyMarks: CH.COLON | CH.EQUALS, minLength: 5 },
  find: (text, out) => {
    if (text.includes('://')) findUrlPasswords(text, out);
    findAssignments(text, PASSWORD_KEY, 'password', out);
  },
});

export const credentialDetector = defineDetector({
  type: 'credential',
  family: 'credential',
  requires: { anyMarks: CH.COLON | CH.EQUALS, minLength: 6 },
  find: (text, out) => findAssignments(text, CREDENTIAL_KEY, 'credential', out),
});
