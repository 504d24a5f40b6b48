/**
 * Ahead-of-time wrapping. Computing a wrap costs 10–30 ms (a ripgrep scan for files to protect, glob expansion
 * of the read-deny list), which is most of what the sandbox adds to a command. The helper computes the next
 * wrap for a directory as soon as a command there ends, and hands it out only if nothing it was computed from
 * can have changed: a snapshot of the modification times of every directory the scan and the globs look at
 * (and of every listed path and its parent; the scan runs with --no-ignore, so ignore files do not matter). Creating, deleting or
 * renaming an entry changes its directory's mtime, so any change that could alter the wrap invalidates it and
 * the command gets a fresh one.
 *
 * Also here: removal of the placeholder files bubblewrap creates on the host for protected paths that do not
 * exist, once no running command still has them mounted (the library would defer that forever while a
 * prepared wrap is outstanding).
 */
import { readdirSync, rmdirSync, statSync, unlinkSync, type BigIntStats } from 'node:fs';
import { dirname, join } from 'node:path';

const MAX_PATHS = 4000;
/** Depth of the library's scan for files to protect (mandatoryDenySearchDepth, set by the helper). */
export const SCAN_DEPTH = 5;

type Stamp = string;

function stamp(p: string): Stamp {
  const s = statSync(p, { bigint: true, throwIfNoEntry: false }) as BigIntStats | undefined;
  return s ? `${s.ino}:${s.mtimeNs}:${s.size}` : '-';
}

export class Snapshot {
  private constructor(private readonly entries: [string, Stamp][]) {}

  /**
   * Captures the stamps, or undefined when the tree is too large to snapshot cheaply (then no wrap is prepared).
   * `literal` are paths from the plan whose existence matters; their parents are stamped too.
   */
  static capture(cwd: string, workspace: string, literal: string[]): Snapshot | undefined {
    const paths = new Set<string>();
    const walk = (dir: string, depth: number): boolean => {
      paths.add(dir);
      if (paths.size > MAX_PATHS) return false;
      if (depth >= SCAN_DEPTH) return true;
      let names;
      try {
        names = readdirSync(dir, { withFileTypes: true });
      } catch {
        return true;
      }
      for (const e of names) {
        if (!e.isDirectory() || e.name === 'node_modules') continue;
        const sub = join(dir, e.name);
        if (e.name === '.git') {
          paths.add(sub);
          paths.add(join(sub, 'hooks'));
          paths.add(join(sub, 'info', 'exclude'));
          continue;
        }
        if (!walk(sub, depth + 1)) return false;
      }
      return true;
    };
    if (!walk(cwd, 0)) return undefined;
    // The read-deny globs look at the workspace root and its first-level directories.
    if (!paths.has(workspace) && !walk(workspace, SCAN_DEPTH - 1)) return undefined;
    for (const p of literal) {
      paths.add(p);
      paths.add(dirname(p));
    }
    return new Snapshot([...paths].map((p) => [p, stamp(p)]));
  }

  /** True while every stamped path is exactly as it was. */
  unchanged(): boolean {
    for (const [p, s] of this.entries) if (stamp(p) !== s) return false;
    return true;
  }
}

/** Counts running commands per placeholder path and removes a placeholder when the last one ends. */
export class Placeholders {
  private running = new Map<string, number>();
  private ours = new Set<string>();

  /** Call when a wrap is handed out; `targets` are the masked paths in its argv. Returns the handle for `end`. */
  begin(targets: string[]): string[] {
    for (const t of targets) {
      const n = this.running.get(t) ?? 0;
      if (n === 0 && statSync(t, { throwIfNoEntry: false }) === undefined) this.ours.add(t);
      this.running.set(t, n + 1);
    }
    return targets;
  }

  end(targets: string[]): void {
    for (const t of targets) {
      const n = (this.running.get(t) ?? 1) - 1;
      if (n > 0) {
        this.running.set(t, n);
        continue;
      }
      this.running.delete(t);
      if (!this.ours.delete(t)) continue;
      // Only what bubblewrap made: an empty file or an empty directory. Anything with content stays.
      try {
        const s = statSync(t, { throwIfNoEntry: false });
        if (s?.isFile() && s.size === 0) unlinkSync(t);
        else if (s?.isDirectory()) rmdirSync(t);
      } catch {
        // Not empty, or already gone.
      }
    }
  }
}
