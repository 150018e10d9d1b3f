// Assertions the HTTP tests share.
import assert from 'node:assert/strict';

/**
 * Returns assertError(res, status, code, message = messages[code]), which asserts an error answer
 * as BetterAuth gives it: the status, a body of exactly {code, message} with this code, and the
 * message (any string when none is known). `res` is {status, body} as the tests' request helpers
 * return it.
 */
export function errorAsserter(messages) {
  return (res, status, code, message = messages[code]) => {
    assert.equal(res.status, status, `${status} ${code} expected, got ${res.status} ${JSON.stringify(res.body)}`);
    assert.deepEqual(Object.keys(res.body ?? {}).sort(), ['code', 'message'], JSON.stringify(res.body));
    assert.equal(res.body.code, code, JSON.stringify(res.body));
    if (message !== undefined) assert.equal(res.body.message, message);
    else assert.equal(typeof res.body.message, 'string');
  };
}
