import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addCordonHooks, removeCordonHooks, REGISTERED_EVENTS, findCordonHandler, isCordonHandler, cordonHandlerParts, type Settings } from '../../src/install/settings.js';

const NODE = '/usr/bin/node';
const CLIENT = '/opt/cordon/dist/src/hook/client.js';
const ENV = '/usr/bin/env';

const userSettings: Settings = {
  permissions: { allow: ['Bash(npm test)'], deny: ['Read(./secrets/**)'] },
  hooks: {
    PreToolUse: [{ matcher: 'Bash', hooks: [{ type: 'command', command: '/home/u/guard.sh' }] }],
    Stop: [{ hooks: [{ type: 'command', command: 'notify-send done' }] }],
  },
  model: 'opus',
};

test('adds a handler for every event, exec form, without dropping the user\'s entries', () => {
  const { settings, added } = addCordonHooks(userSettings, NODE, CLIENT);
  assert.equal(added.length, REGISTERED_EVENTS.length);
  for (const e of REGISTERED_EVENTS) {
    const h = findCordonHandler(settings, e);
    assert.ok(h, e);
    assert.equal(h.command, NODE);
    assert.deepEqual(h.args, [CLIENT, e]);
  }
  const pre = settings.hooks!.PreToolUse!;
  assert.deepEqual(pre[0], userSettings.hooks!.PreToolUse![0]);
  assert.equal(pre[1]!.matcher, '*');
  assert.deepEqual(settings.hooks!.Stop, userSettings.hooks!.Stop);
  assert.deepEqual(settings.permissions, userSettings.permissions);
  assert.equal(settings.model, 'opus');
});

test('is idempotent', () => {
  const once = addCordonHooks(userSettings, NODE, CLIENT).settings;
  const twice = addCordonHooks(once, NODE, CLIENT);
  assert.equal(twice.added.length, 0);
  assert.deepEqual(twice.settings, once);
});

test('a reinstall from another path replaces the old entry instead of adding a second', () => {
  const once = addCordonHooks(userSettings, NODE, CLIENT).settings;
  const moved = addCordonHooks(once, NODE, '/new/place/dist/src/hook/client.cjs');
  assert.equal(moved.replaced, REGISTERED_EVENTS.length);
  const all = JSON.stringify(moved.settings);
  assert.equal(all.includes(CLIENT), false);
  assert.equal(moved.settings.hooks!.PreToolUse!.length, 2);
});

test('undo restores the user\'s settings exactly', () => {
  const installed = addCordonHooks(userSettings, NODE, CLIENT).settings;
  const { settings, removed } = removeCordonHooks(installed);
  assert.equal(removed, REGISTERED_EVENTS.length);
  assert.deepEqual(settings, userSettings);
});

test('undo on settings cordon created leaves an empty object', () => {
  const installed = addCordonHooks({}, NODE, CLIENT).settings;
  assert.deepEqual(removeCordonHooks(installed).settings, {});
});

test('with an env launcher, node runs through `env -u` so NODE_OPTIONS and NODE_EXTRA_CA_CERTS never reach it', () => {
  const { settings, added } = addCordonHooks(userSettings, NODE, CLIENT, ENV);
  assert.equal(added.length, REGISTERED_EVENTS.length);
  for (const e of REGISTERED_EVENTS) {
    const h = findCordonHandler(settings, e);
    assert.ok(h, e);
    assert.equal(h.command, ENV);
    assert.deepEqual(h.args, ['-u', 'NODE_OPTIONS', '-u', 'NODE_EXTRA_CA_CERTS', NODE, CLIENT, e]);
    assert.deepEqual(cordonHandlerParts(h), { launcher: ENV, node: NODE, client: CLIENT, event: e });
  }
  const again = addCordonHooks(settings, NODE, CLIENT, ENV);
  assert.equal(again.added.length, 0);
  assert.deepEqual(again.settings, settings);
  assert.deepEqual(removeCordonHooks(settings).settings, userSettings);
});

test('re-running init replaces an entry of the shape without env in place, one entry per event', () => {
  const old = addCordonHooks(userSettings, NODE, CLIENT).settings;
  const next = addCordonHooks(old, NODE, CLIENT, ENV);
  assert.equal(next.replaced, REGISTERED_EVENTS.length);
  for (const e of REGISTERED_EVENTS) {
    const all = next.settings.hooks![e]!.flatMap((g) => g.hooks).filter(isCordonHandler);
    assert.equal(all.length, 1, e);
    assert.equal((all[0] as { command: string }).command, ENV);
  }
  // Same position: the user's PreToolUse group still comes first, cordon's second.
  assert.deepEqual(next.settings.hooks!.PreToolUse![0], userSettings.hooks!.PreToolUse![0]);
  assert.equal(next.settings.hooks!.PreToolUse!.length, 2);
  // And back: a system without env gets the direct shape again, still in place.
  const back = addCordonHooks(next.settings, NODE, CLIENT);
  assert.equal(back.replaced, REGISTERED_EVENTS.length);
  assert.deepEqual(back.settings, old);
});

test('only env lines that run cordon\'s client with nothing but -u options count as cordon\'s', () => {
  const h = (command: string, args: string[]) => ({ type: 'command', command, args });
  assert.ok(isCordonHandler(h(ENV, ['-u', 'NODE_OPTIONS', NODE, CLIENT, 'PreToolUse'])));
  assert.ok(isCordonHandler(h(NODE, [CLIENT, 'PreToolUse'])));
  assert.equal(isCordonHandler(h(ENV, ['NODE_OPTIONS=--require=/x.js', NODE, CLIENT, 'PreToolUse'])), false);
  assert.equal(isCordonHandler(h(ENV, ['-i', NODE, CLIENT, 'PreToolUse'])), false);
  assert.equal(isCordonHandler(h(ENV, ['-u', 'NODE_OPTIONS', NODE, '/home/u/guard.js', 'PreToolUse'])), false);
  assert.equal(isCordonHandler(h('/usr/bin/sudo', [NODE, CLIENT, 'PreToolUse'])), false);
  // A user's own env-launched hook stays the user's: undo leaves it alone.
  const mine = { hooks: { PreToolUse: [{ hooks: [h(ENV, ['-u', 'X', '/home/u/guard.sh'])] }] } } as Settings;
  const installed = addCordonHooks(mine, NODE, CLIENT, ENV).settings;
  assert.deepEqual(removeCordonHooks(installed).settings, mine);
});
