#!/usr/bin/env node
/**
 * The `cordon` command line. Thin by design: each verb lives in ./commands/<verb>.ts, exports
 * `register(program)`, declares its options and lazily imports the library code it calls, so `cordon --help`
 * stays fast. Adding a verb is adding a file.
 */
import { readdirSync } from 'node:fs';
import { Command } from 'commander';
import { VERSION } from '../version.js';

const program = new Command();
program
  .name('cordon')
  .description('A security perimeter for AI coding agents (Claude Code hooks, shell analysis, audit).')
  .version(VERSION)
  .showHelpAfterError();

const dir = new URL('./commands/', import.meta.url);
const modules = readdirSync(dir)
  .filter((f) => f.endsWith('.js'))
  .sort();
for (const m of modules) {
  try {
    const mod = (await import(new URL(m, dir).href)) as { register?: (p: Command) => void };
    mod.register?.(program);
  } catch (err) {
    // One broken verb must not take the others (doctor among them) down with it.
    process.stderr.write(`cordon: the ${m.replace(/\.js$/, '')} command failed to load: ${(err as Error).message.split('\n')[0]}\n`);
    process.exitCode = 70;
  }
}

await program.parseAsync(process.argv);
