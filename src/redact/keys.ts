/**
 * Which field and variable names carry credentials. Names are split into words (snake, kebab, dot and camel case)
 * so that `max_tokens` or `author` stay readable while `GITHUB_TOKEN`, `apiKey` and `X-Auth-Token` do not.
 */

const COMPACT =
  /passw(?:or)?d|passphrase|secret|apikey|accesskey|privatekey|signingkey|encryptionkey|masterkey|authorization|cookie|credential|accesstoken|refreshtoken|authtoken|idtoken|sessiontoken|bearertoken|apitoken|csrftoken|xsrftoken|clientsecret|webhookurl|connectionstring|dsn$/;

const WORDS = new Set(['token', 'pwd', 'pass', 'auth', 'pat', 'sessionid', 'sid', 'jwt', 'otp', 'pin', 'cred', 'creds']);

function words(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((w) => w !== '');
}

export function isSecretKey(name: string): boolean {
  if (name.length === 0 || name.length > 128) return false;
  const compact = name.toLowerCase().replace(/[^a-z0-9]/g, '');
  if (COMPACT.test(compact)) return true;
  return words(name).some((w) => WORDS.has(w));
}

/** Password-like names, whose numeric values are still secrets (a PIN is a number). */
export function isPasswordKey(name: string): boolean {
  const compact = name.toLowerCase().replace(/[^a-z0-9]/g, '');
  return /passw(?:or)?d|passphrase|pwd|pin$|otp$/.test(compact) || words(name).includes('pass');
}
