import { MIN_SECRET_LENGTH } from './redact.js';

/**
 * Variable names that say their value is a secret. Narrower than `SECRET_NAME` in child-env.ts,
 * which only decides what a verifier is not given: a value listed here is blanked wherever it
 * appears, so `KEYMAP` or `XDG_SESSION_TYPE` must not make an ordinary word disappear.
 */
const SECRET_VARIABLE =
  /SECRET|TOKEN|PASSW(?:OR)?D|PASSPHRASE|API_?KEY|ACCESS_?KEY|PRIVATE_?KEY|CREDENTIAL|COOKIE|(?:^|_)AUTH(?:_|$)|(?:^|_)KEY$/i;
/** Names that point at a secret (a file, a socket) rather than hold one. */
const POINTER_VARIABLE = /_(?:FILE|PATH|DIR|SOCK)$/i;
/** A value that is a path: blanking it would only hide where things are. */
const PATH_VALUE = /^~?\/[\w./-]*$/;
/** The password of `scheme://user:password@host`, up to the host's last `@`. */
const URL_PASSWORD = /[a-z][a-z0-9+.-]{0,31}:\/\/[^/\s:@]*:([^\s/]+)@/gi;

/**
 * Every secret value Gaffer knows, to be masked wherever it turns up: the values of the
 * variables in `env` whose names look secret, the password of any URL with credentials in any
 * variable's value, and the `extra` values (configured keys). Values too short to mask are left
 * out; longest first, so a value that contains another is masked whole.
 */
export function knownSecretValues(
  env: Record<string, string | undefined>,
  extra: readonly string[] = [],
): string[] {
  const values = new Set<string>();
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined) continue;
    if (SECRET_VARIABLE.test(name) && !POINTER_VARIABLE.test(name) && !PATH_VALUE.test(value))
      values.add(value);
    for (const password of urlPasswords(value)) values.add(password);
  }
  for (const value of extra) values.add(value);
  return [...values]
    .filter((value) => value.trim().length >= MIN_SECRET_LENGTH)
    .sort((a, b) => b.length - a.length);
}

/** The passwords of the URLs in `value`, as written and percent-decoded. */
function urlPasswords(value: string): string[] {
  const passwords: string[] = [];
  for (const match of value.matchAll(URL_PASSWORD)) {
    const password = match[1] ?? '';
    passwords.push(password);
    try {
      passwords.push(decodeURIComponent(password));
    } catch {
      // not percent-encoded after all
    }
  }
  return passwords;
}

/**
 * The values of the keys an agent's config names — `api_key_env`, a Codex provider's `env_key` —
 * read from its environment: whatever those variables are called, their values are secrets.
 */
export function configuredKeyValues(
  config: Record<string, unknown>,
  env: Record<string, string | undefined>,
): string[] {
  const names: unknown[] = [
    config.api_key_env,
    (config.provider as { env_key?: unknown } | undefined)?.env_key,
  ];
  return names
    .filter((name): name is string => typeof name === 'string')
    .map((name) => env[name])
    .filter((value): value is string => value !== undefined);
}
