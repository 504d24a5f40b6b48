#!/usr/bin/env node
/**
 * The `cordon` command line. Thin by design: each verb lives in ./commands/<verb>.ts, which declares its options
 * and lazily imports the library code it calls, so `cordon --help` stays fast.
 */
import { Command } from 'commander';
import { VERSION } from '../version.js';

const program = new Command();
program
  .name('cordon')
  .description('A security perimeter for AI coding agents (Claude Code hooks, shell analysis, audit).')
  .version(VERSION)
  .showHelpAfterError();

const modules = ['hook', 'init', 'doctor', 'explain', 'audit', 'scan', 'daemon'];
for (const m of modules) {
  try {
    const mod = (await import(`./commands/${m}.js`)) as { register?: (p: Command) => void };
    mod.register?.(program);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ERR_MODULE_NOT_FOUND') throw err;
  }
}

await program.parseAsync(process.argv);
