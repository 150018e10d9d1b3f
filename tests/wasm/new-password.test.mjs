// checkNewPassword and passwordUserInputs: the server's new-password rule, in the browser build.
// (tests/web compares these verdicts with the real server's answers.)
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { load, loadStrength } from '../../wasm/index.js';

test('the user inputs are derived from the e-mail and name as the server derives them', async () => {
  const core = await load();
  assert.deepEqual(core.passwordUserInputs('Ada.Lovelace@Example.com', '  Ada   Lovelace '), [
    'ada.lovelace@example.com', 'ada.lovelace', 'ada   lovelace', 'ada', 'lovelace', 'example',
  ]);
  assert.deepEqual(core.passwordUserInputs('', ''), []);
});

test('length rules come first and need no dictionaries; the strength rule needs loadStrength()', async () => {
  const core = await load();
  assert.deepEqual(core.checkNewPassword('short', {}, { minScore: 0 }), {
    ok: false, code: 'PASSWORD_TOO_SHORT', message: 'Password too short', score: -1,
  });
  assert.deepEqual(core.checkNewPassword('password123', {}, { minScore: 0 }), { ok: true, score: -1 });
  assert.equal(core.checkNewPassword(42).code, 'VALIDATION_ERROR');
  if (!core.strengthLoaded) assert.throws(() => core.checkNewPassword('password123'), /loadStrength/);
});

test('a weak password gets PASSWORD_TOO_WEAK with the estimator\'s feedback; the user\'s own words count', async () => {
  const core = await loadStrength();
  assert.deepEqual(core.checkNewPassword('password123'), {
    ok: false,
    code: 'PASSWORD_TOO_WEAK',
    message: 'This is a very common password',
    score: 0,
    feedback: {
      warning: 'This is a very common password',
      warningKey: 'common',
      suggestions: ['Add another word or two. Uncommon words are better.'],
      suggestionKeys: ['anotherWord'],
    },
  });
  const stranger = core.checkNewPassword('lovelacebabbage', {});
  const herself = core.checkNewPassword('lovelacebabbage', { email: 'babbage@lovelace.org', name: 'Ada Lovelace' });
  assert.ok(herself.score < stranger.score, `${herself.score} < ${stranger.score}`);
  assert.equal(core.checkNewPassword('correct horse battery staple').ok, true);
  assert.equal(core.checkNewPassword('password123', {}, { minScore: 0 }).ok, true);
});
