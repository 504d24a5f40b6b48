/**
 * Secret formats the redactor recognises in free text.
 *
 * Every pattern must stay linear on hostile input: each unbounded run is anchored by a look-behind so a match can
 * only start at the edge of a run, adjacent quantifiers never share characters (so a failed match gives back each
 * character at most once), and anything that must look ahead across unknown text uses a bounded quantifier.
 */

export interface SecretPattern {
  label: string;
  re: RegExp;
  /** Index of the capture group holding the secret; the rest of the match is kept. 0 replaces the whole match. */
  group: number;
  /** Extra check on the captured secret, to keep ordinary words out. */
  accept?: (secret: string) => boolean;
}

const hasDigit = (s: string): boolean => /[0-9]/.test(s);
const hasUpperAndLower = (s: string): boolean => /[A-Z]/.test(s) && /[a-z]/.test(s);

/** `Basic` credentials are base64 of `user:password`; checking that keeps "Basic information" readable. */
function isBasicCredential(s: string): boolean {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(s) || s.length % 4 !== 0) return false;
  const text = Buffer.from(s, 'base64').toString('utf8');
  return text.includes(':') && !text.includes('\uFFFD');
}

export const PATTERNS: SecretPattern[] = [
  { label: 'aws-access-key', re: /(?<![A-Za-z0-9])(?:AKIA|ASIA|ABIA|ACCA|A3T[A-Z0-9])[A-Z0-9]{16}(?![A-Za-z0-9])/g, group: 0 },
  { label: 'github-token', re: /(?<![A-Za-z0-9_])gh[pousr]_[A-Za-z0-9]{30,}(?![A-Za-z0-9_])/g, group: 0 },
  { label: 'github-token', re: /(?<![A-Za-z0-9_])github_pat_[A-Za-z0-9_]{22,}/g, group: 0 },
  { label: 'gitlab-token', re: /(?<![A-Za-z0-9_-])glpat-[A-Za-z0-9_-]{20,}/g, group: 0 },
  { label: 'slack-token', re: /(?<![A-Za-z0-9_-])xox[abprs]-[A-Za-z0-9-]{10,}/g, group: 0 },
  { label: 'slack-webhook', re: /(hooks\.slack\.com\/services\/)([A-Za-z0-9_/-]{8,})/g, group: 2 },
  { label: 'stripe-key', re: /(?<![A-Za-z0-9_])(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{10,}/g, group: 0 },
  { label: 'npm-token', re: /(?<![A-Za-z0-9_])npm_[A-Za-z0-9]{36}(?![A-Za-z0-9_])/g, group: 0 },
  { label: 'anthropic-key', re: /(?<![A-Za-z0-9_-])sk-ant-[A-Za-z0-9_-]{20,}/g, group: 0 },
  { label: 'openai-key', re: /(?<![A-Za-z0-9_-])sk-(?:proj|svcacct|admin)-[A-Za-z0-9_-]{20,}/g, group: 0 },
  {
    label: 'openai-key',
    re: /(?<![A-Za-z0-9_-])sk-([A-Za-z0-9]{32,})(?![A-Za-z0-9_-])/g,
    group: 0,
    accept: (s) => hasDigit(s) && hasUpperAndLower(s),
  },
  { label: 'google-api-key', re: /(?<![A-Za-z0-9_-])AIza[0-9A-Za-z_-]{35}(?![A-Za-z0-9_-])/g, group: 0 },
  { label: 'jwt', re: /(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{5,}\.eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/g, group: 0 },
  {
    // scheme://user:password@host — the user name stays so the record still says who connected.
    label: 'url-password',
    re: /(?<![A-Za-z0-9+.-])([A-Za-z][A-Za-z0-9+.-]{0,30}:\/\/[^\s:@/?#]{0,256}:)([^\s@/?#]{1,512})(?=@)/g,
    group: 2,
  },
  {
    label: 'authorization',
    re: /(authorization["']?\s{0,8}[:=]\s{0,8}["']?(?:(?:Bearer|Basic|Token|Digest|Bot)\s{1,8})?)(?!(?:Bearer|Basic|Token|Digest|Bot)\b)([A-Za-z0-9._~+/=:-]{6,})/gi,
    group: 2,
  },
  { label: 'authorization', re: /(?<![A-Za-z0-9_-])(Bearer\s{1,8})([A-Za-z0-9._~+/-]{20,}=*)/g, group: 2 },
  { label: 'authorization', re: /(?<![A-Za-z0-9_-])(Basic\s{1,8})([A-Za-z0-9+/]{8,}={0,2})/g, group: 2, accept: isBasicCredential },
  {
    // --password X, --password=X, --token X … (flag names that only ever carry a credential).
    label: 'cli-password',
    re: /(?<![A-Za-z0-9_-])(--?(?:password|passwd|pass|pwd|passphrase|token|secret|api-key|apikey|api-token|access-token|auth-token|client-secret|secret-key)(?:=|\s{1,8})["']?)([^\s"']{1,512})/gi,
    group: 2,
    // `cordon exec --secret GH_TOKEN`: the name of a stored secret (capitals and underscores) is not a credential,
    // and the audit trail must show which secret was used.
    accept: (s) => !s.startsWith('-') && !s.startsWith('$') && !/^[A-Z][A-Z_]{0,63}(=[A-Z_][A-Z0-9_]{0,63})?$/.test(s),
  },
  {
    // mysql -pSECRET (attached), sshpass -p SECRET; bounded look-back along the same command.
    label: 'cli-password',
    re: /(\b(?:mysql|mysqldump|mysqladmin|mariadb|mariadb-dump)\b[^\n|;&]{0,200}?\s-p)([^\s"'-][^\s"']{0,255})/g,
    group: 2,
    accept: (s) => !s.startsWith('$'),
  },
  { label: 'cli-password', re: /(\bsshpass\s{1,8}-p\s{0,8})([^\s"']{1,256})/g, group: 2 },
  {
    // curl -u user:password / --user user:password
    label: 'cli-password',
    re: /((?:^|\s)(?:-u|--user)\s{1,8}["']?[^\s:"']{1,128}:)([^\s"']{1,256})/g,
    group: 2,
    accept: (s) => !s.startsWith('$'),
  },
];

export const PEM_BEGIN = /-----BEGIN ([A-Z0-9 ]{0,40})PRIVATE KEY( BLOCK)?-----/g;
