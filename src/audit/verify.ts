/**
 * Chain verification and retention.
 *
 * verifyAudit walks every record from the chain's start (genesis, or the prune anchor) and stops at the first broken
 * link, naming the record and what happened to it. The head anchor is read under the write lock, and the records
 * from a read snapshot taken under that same lock: a writer that has replaced audit.head but not yet committed can
 * never make an intact chain look truncated, nor one that commits during the walk make it look headless.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import {
  DB_FILE,
  GENESIS_HASH,
  HEAD_FILE,
  KEY_FILE,
  type Anchor,
  type StoredRow,
  anchorValid,
  mac,
  macEqual,
  makeAnchor,
  readHead,
  readKey,
  recordHash,
} from './chain.js';
import { hasSchema, openDb, readMetaAnchor, SqliteAuditStore } from './store.js';

export type VerifyProblemKind = 'edited' | 'deleted' | 'reordered' | 'forged' | 'truncated' | 'head' | 'anchor' | 'key' | 'unavailable';

export interface VerifyProblem {
  kind: VerifyProblemKind;
  /** The record where the chain breaks, when one can be named. */
  id?: number;
  /** The session whose chain breaks (PostgreSQL sink: one chain per session). */
  session?: string;
  message: string;
}

export interface VerifyReport {
  ok: boolean;
  path: string;
  /** Records checked before the first problem (all of them when ok). */
  records: number;
  firstId?: number;
  lastId?: number;
  /** Where the chain starts after pruning. */
  anchor?: { id: number; hash: string };
  head?: { id: number; hash: string };
  /** Sessions whose chains were checked (PostgreSQL sink). */
  sessions?: number;
  problem?: VerifyProblem;
}

function describe(r: Pick<StoredRow, 'id' | 'event' | 'tool' | 'ts'>): string {
  const d = new Date(Number(r.ts));
  const when = Number.isFinite(d.getTime()) ? d.toISOString() : String(r.ts);
  return `record ${r.id} (${[r.event, r.tool].filter(Boolean).join(' ')}, ${when})`;
}

const range = (a: number, b: number): string => (a === b ? `record ${a} is` : `records ${a}–${b} are`);

/** False when the file exists but no writer has created the tables yet (or it cannot be opened: reported later). */
function schemaPresent(stateDir: string): boolean {
  try {
    const db = openDb({ stateDir, readOnly: true });
    try {
      return hasSchema(db);
    } finally {
      db.close();
    }
  } catch {
    return true;
  }
}

export interface VerifyOptions {
  stateDir: string;
  /** @internal Called once the snapshot is fixed and the write lock released (tests append here). */
  afterSnapshot?: () => void;
}

export function verifyAudit(opts: VerifyOptions): VerifyReport {
  const path = join(opts.stateDir, DB_FILE);
  const report: VerifyReport = { ok: false, path, records: 0 };
  const fail = (kind: VerifyProblemKind, message: string, id?: number): VerifyReport => {
    report.problem = id === undefined ? { kind, message } : { kind, id, message };
    return report;
  };

  let key: Buffer | undefined;
  try {
    key = readKey(opts.stateDir);
  } catch (err) {
    return fail('key', `${(err as Error).message}: records cannot be authenticated`);
  }
  if (!existsSync(path) || !schemaPresent(opts.stateDir)) {
    const { anchor: head, raw } = readHead(opts.stateDir);
    if (head || raw !== undefined) {
      return fail('truncated', `audit database ${path} is missing or empty but ${HEAD_FILE} says the chain reaches record ${head?.id ?? '?'}`);
    }
    report.ok = true;
    return report;
  }

  // Two connections: `lock` takes the write lock just long enough to read the head file and start a read snapshot
  // on `snap`; the walk then reads that snapshot, so it sees exactly the records the head file describes while
  // writers go on appending (and a long walk never holds hook calls up).
  const conns: Database.Database[] = [];
  try {
    while (conns.length < 2) conns.push(openDb({ stateDir: opts.stateDir, readOnly: true }));
  } catch (err) {
    for (const c of conns) c.close();
    return fail('unavailable', (err as Error).message);
  }
  const [lock, snap] = conns as [Database.Database, Database.Database];
  try {
    let headRead: { anchor?: Anchor; raw?: string } = {};
    snap.exec('BEGIN');
    lock.transaction(() => {
      headRead = readHead(opts.stateDir);
      // The first read fixes the snapshot: no append can be half-way between head file and commit now.
      snap.prepare('SELECT count(*) FROM records').get();
      // The first writer creates the key before its first record; read it again here, under the lock, so a
      // store created while verify started is not reported as keyless.
      if (!key) key = readKey(opts.stateDir);
    }).immediate();
    opts.afterSnapshot?.();
    return walk(snap, key, headRead, readMetaAnchor(snap), report, fail);
  } finally {
    if (snap.inTransaction) snap.exec('COMMIT');
    snap.close();
    lock.close();
  }
}

function walk(
  db: Database.Database,
  key: Buffer | undefined,
  headRead: { anchor?: Anchor; raw?: string },
  metaAnchor: Anchor | undefined,
  report: VerifyReport,
  fail: (kind: VerifyProblemKind, message: string, id?: number) => VerifyReport,
): VerifyReport {
  const head = headRead.anchor;
  if (head) report.head = { id: head.id, hash: head.hash };
  if (metaAnchor) report.anchor = { id: metaAnchor.id, hash: metaAnchor.hash };
  const count = (db.prepare('SELECT count(*) AS n FROM records').get() as { n: number }).n;

  if (!key) {
    if (count > 0 || head) return fail('key', `${KEY_FILE} is missing: the ${count} records cannot be authenticated`);
    report.ok = true;
    return report;
  }
  const headMacOk = head ? anchorValid(key, 'head', head) : true;
  if (metaAnchor && !anchorValid(key, 'anchor', metaAnchor)) {
    return fail('anchor', `the prune anchor (record ${metaAnchor.id}) fails authentication: the start of the chain was forged`);
  }
  if (headRead.raw !== undefined && !head) return fail('head', `${HEAD_FILE} is unreadable: it was damaged or edited`);

  let expectedId = (metaAnchor?.id ?? 0) + 1;
  let prev = metaAnchor?.hash ?? GENESIS_HASH;
  let prevRow: StoredRow | undefined;
  let headSeen = false;
  const rows = db.prepare('SELECT * FROM records ORDER BY id').iterate() as IterableIterator<StoredRow>;
  for (const row of rows) {
    if (row.id !== expectedId) {
      const after = prevRow ? `${describe(row)} follows ${describe(prevRow)}` : `the chain starts at ${describe(row)}`;
      return fail('deleted', `${range(expectedId, row.id - 1)} missing (deleted): ${after}`, expectedId);
    }
    if (recordHash(row) !== row.hash) {
      return fail('edited', `${describe(row)}: content changed since it was written`, row.id);
    }
    if (row.prev_hash !== prev) {
      return fail('reordered', `${describe(row)}: does not follow record ${row.id - 1} (records reordered, replaced or inserted)`, row.id);
    }
    if (!macEqual(mac(key, row.hash), row.mac)) {
      if (report.records === 0 && !headMacOk) {
        return fail('key', `${KEY_FILE} does not match the key the records were written with (key replaced?)`, row.id);
      }
      return fail('forged', `${describe(row)}: authentication code does not match (record forged or rewritten without the key)`, row.id);
    }
    if (head && row.id === head.id) {
      if (row.hash !== head.hash) return fail('edited', `${describe(row)}: differs from the head anchor (rewritten)`, row.id);
      headSeen = true;
    }
    report.records++;
    report.firstId ??= row.id;
    report.lastId = row.id;
    prev = row.hash;
    prevRow = row;
    expectedId = row.id + 1;
  }

  if (!head) {
    if (report.records > 0 || metaAnchor) return fail('head', `${HEAD_FILE} is missing while the database holds records (removed to hide a truncation?)`);
    report.ok = true;
    return report;
  }
  if (!headMacOk) {
    const kind = report.records === 0 ? 'key' : 'head';
    return fail(kind, `${HEAD_FILE} fails authentication: it was forged or ${KEY_FILE} was replaced`);
  }
  if (!headSeen) {
    const atAnchor = metaAnchor && metaAnchor.id === head.id && metaAnchor.hash === head.hash;
    if (!atAnchor) {
      const end = report.lastId ?? metaAnchor?.id ?? 0;
      if (head.id > end) {
        return fail(
          'truncated',
          `${range(end + 1, head.id)} missing at the end (tail truncated): ${HEAD_FILE} says the chain reaches record ${head.id}, the database ends at ${end === 0 ? 'no record' : `record ${end}`}`,
          end + 1,
        );
      }
      return fail('head', `${HEAD_FILE} points at record ${head.id}, which is not in the chain`, head.id);
    }
  }
  report.ok = true;
  return report;
}

export interface PruneReport {
  pruned: number;
  /** The record the chain now starts after. */
  anchorId?: number;
}

/**
 * Deletes the records older than the cutoff that form a prefix of the chain (a record is only pruned once every
 * record before it is), and stores the last pruned record's hash as a MAC'd anchor so the rest still verifies.
 * Refuses to prune a chain that does not verify: pruning would bury the evidence.
 */
export function pruneAudit(opts: { stateDir: string; olderThanDays: number; now?: number }): PruneReport {
  if (!(opts.olderThanDays >= 0)) throw new RangeError('olderThanDays must be a non-negative number');
  const check = verifyAudit({ stateDir: opts.stateDir });
  if (!check.ok) throw new Error(`audit chain is broken, not pruning: ${check.problem?.message ?? 'unknown problem'}`);
  const cutoff = (opts.now ?? Date.now()) - opts.olderThanDays * 86_400_000;
  const store = new SqliteAuditStore(opts.stateDir);
  try {
    const db = store.db;
    // Pruned rows should not linger in free pages of the file.
    db.pragma('secure_delete = ON');
    return db
      .transaction((): PruneReport => {
        const keep = db.prepare('SELECT min(id) AS id FROM records WHERE ts >= ?').get(cutoff) as { id: number | null };
        const last = db.prepare('SELECT max(id) AS id FROM records').get() as { id: number | null };
        if (last.id === null) return { pruned: 0 };
        const upTo = keep.id === null ? last.id : keep.id - 1;
        const edge = db.prepare('SELECT id, hash FROM records WHERE id = ?').get(upTo) as { id: number; hash: string } | undefined;
        if (!edge) return { pruned: 0 };
        const anchor = makeAnchor(store.macKey(), 'anchor', edge.id, edge.hash);
        db.prepare(`INSERT INTO meta(key, value) VALUES ('anchor', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value`).run(
          JSON.stringify(anchor),
        );
        const res = db.prepare('DELETE FROM records WHERE id <= ?').run(upTo);
        return { pruned: res.changes, anchorId: edge.id };
      })
      .immediate();
  } finally {
    store.close();
  }
}
