import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addCordonHooks, removeCordonHooks, REGISTERED_EVENTS, findCordonHandler, type Settings } from '../../src/install/settings.js';

const NODE = '/usr/bin/node';
const CLIENT = '/opt/cordon/dist/src/hook/client.js';

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
