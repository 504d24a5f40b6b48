/**
 * db: destructive database statements sent through a client (psql, mysql, sqlite3, mongosh, redis-cli …) from
 * arguments, -c / -e / --eval, or standard input. DROP, TRUNCATE, DELETE/UPDATE without WHERE, dropDatabase,
 * deleteMany({}), FLUSHALL need a human; reads pass.
 */
import type { Command, Finding, RulePack } from '../../ir/types.js';
import { args, finding, nameOf, rule, str } from '../util.js';

const R = {
  destructive: rule('db.destructive-statement', 'high', 'ask', 'DROP / TRUNCATE / DELETE or UPDATE without WHERE / dropDatabase / FLUSHALL through a database client.', `psql -c 'DROP TABLE users'`),
  dropdb: rule('db.drop-database-tool', 'high', 'ask', 'Database removal tools (dropdb, mysqladmin drop).', 'dropdb prod'),
};

const CLIENTS = ['psql', 'mysql', 'mariadb', 'sqlite3', 'sqlite', 'duckdb', 'mongosh', 'mongo', 'redis-cli', 'valkey-cli', 'keydb-cli',
  'clickhouse-client', 'clickhouse', 'cqlsh', 'sqlcmd', 'cockroach', 'snowsql', 'bq', 'usql', 'litecli', 'pgcli', 'mycli'];
const INLINE: Record<string, string[]> = {
  psql: ['-c', '--command'], mysql: ['-e', '--execute'], mariadb: ['-e', '--execute'], mongosh: ['--eval'], mongo: ['--eval'],
  'clickhouse-client': ['-q', '--query'], clickhouse: ['-q', '--query'], cqlsh: ['-e', '--execute'], sqlcmd: ['-Q', '-q'],
  cockroach: ['-e', '--execute'], snowsql: ['-q', '--query'], usql: ['-c', '--command'], pgcli: [], mycli: ['-e', '--execute'],
  sqlite3: ['-cmd'], sqlite: ['-cmd'], duckdb: ['-c', '-cmd'],
};

/** Every piece of code the client would run that is visible on the command line or its stdin. */
function code(cmd: Command, n: string): string[] {
  const a = args(cmd);
  const out: string[] = [];
  const flags = INLINE[n] ?? [];
  for (let i = 0; i < a.length; i++) {
    const s = str(a[i]);
    for (const f of flags) {
      if (s === f && a[i + 1]) out.push(str(a[i + 1]));
      else if (f.startsWith('--') && s.startsWith(f + '=')) out.push(s.slice(f.length + 1));
      else if (!f.startsWith('--') && f.length === 2 && s.startsWith(f) && s.length > 2) out.push(s.slice(2));
    }
  }
  if (/^(sqlite3?|duckdb|redis-cli|valkey-cli|keydb-cli|bq)$/.test(n)) {
    // sqlite3 DB "SQL"; redis-cli [opts] COMMAND args; bq query "SQL"
    const pos = a.map(str).filter((s, i) => !s.startsWith('-') && !(i > 0 && /^-(h|p|a|n|u|s|c|cmd|separator|init)$/.test(str(a[i - 1]))));
    out.push(pos.slice(n.startsWith('sqlite') || n === 'duckdb' ? 1 : 0).join(' '));
  }
  if (cmd.stdin.kind === 'text') out.push(cmd.stdin.text);
  if (cmd.stdin.kind === 'pipe') {
    const u = cmd.stdin.from;
    if (nameOf(u) === 'echo' || nameOf(u) === 'printf') out.push(u.argv.slice(1).map(str).join(' '));
  }
  for (const r of cmd.redirects) if (r.body !== undefined) out.push(r.body);
  return out;
}

function stripSql(s: string): string {
  return s.replace(/--[^\n]*|\/\*[\s\S]*?\*\//g, ' ').replace(/'(?:[^']|'')*'/g, "''");
}

/** What makes this SQL / Mongo / Redis text destructive, or undefined. */
export function destructiveSql(text: string): string | undefined {
  const mongo = /\.(dropDatabase|drop|dropIndexes|dropUser|dropAllUsers)\s*\(|\.(deleteMany|remove)\s*\(\s*(\{\s*\})?\s*[,)]|\.updateMany\s*\(\s*\{\s*\}/.exec(text);
  if (mongo) return mongo[0].replace(/\s*\($/, '()');
  const redis = /\b(FLUSHALL|FLUSHDB)\b/i.exec(text);
  if (redis) return redis[1]!.toUpperCase();
  for (const stmt of stripSql(text).split(';')) {
    const s = stmt.trim();
    const drop = /\bDROP\s+(DATABASE|SCHEMA|TABLE|VIEW|MATERIALIZED\s+VIEW|INDEX|USER|ROLE|KEYSPACE|COLLECTION|SEQUENCE|FUNCTION|TRIGGER|TYPE|EXTENSION|OWNED)\b[^;]*/i.exec(s);
    if (drop) return drop[0].trim().slice(0, 80);
    const tr = /\bTRUNCATE\b[^;]*/i.exec(s);
    if (tr) return tr[0].trim().slice(0, 80);
    if (/\bALTER\s+TABLE\b[\s\S]*\bDROP\b/i.test(s)) return s.slice(0, 80);
    if (/(^|\s|\()DELETE\s+FROM\b/i.test(s) && !/\bWHERE\b/i.test(s)) return s.slice(0, 80);
    if (/(^|\s|\()UPDATE\s+\S+\s+SET\b/i.test(s) && !/\bWHERE\b/i.test(s)) return s.slice(0, 80);
  }
  return undefined;
}

export const dbPack: RulePack = {
  id: 'db',
  rules: Object.values(R),
  heads: [...CLIENTS, 'dropdb', 'mysqladmin', 'dropuser'],
  check(cmd) {
    const n = nameOf(cmd)!;
    const a = args(cmd).map(str);
    if (a.includes('--help') || a.includes('--version')) return [];
    if (n === 'dropdb' || n === 'dropuser' || (n === 'mysqladmin' && a.some((s) => s === 'drop' || s === 'DROP'))) {
      return [finding(R.dropdb, cmd, `${cmd.text.trim()} deletes a database or role with all its data.`, 'take a backup first and run it yourself')];
    }
    const out: Finding[] = [];
    for (const c of code(cmd, n)) {
      const what = destructiveSql(c);
      if (what) {
        out.push(finding(R.destructive, cmd, `${n} would run \`${what}\`: data would be deleted or overwritten for good.`,
          'add a WHERE clause, run it in a transaction you can roll back, or take a backup first'));
        break;
      }
    }
    return out;
  },
};
