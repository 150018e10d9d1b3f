// Loaded first by every estimator page of the strength benchmark (a classic script, no module).
// The estimator's own script then calls __benchReady(estimate) once it can estimate; this file
// times that moment and the first estimate, and offers the functions bench.mjs calls through
// playwright's page.evaluate. All times are performance.now() values: milliseconds since the
// navigation started (the page is cross-origin isolated, so they tick at 5 µs).
(function () {
  'use strict';
  var FIRST = 'Tr0ub4dour&3';
  var estimate = null;

  // Portcullis takes the reference year as an option; zxcvbn reads the clock the same way.
  self.__benchReferenceYear = new Date().getFullYear();

  self.__benchReady = function (fn) {
    try {
      var loaded = performance.now();
      var r = fn(FIRST);
      var done = performance.now();
      estimate = fn;
      self.__cold = {
        loaded: loaded, // navigation start -> estimator ready (fetch, parse, compile, dictionaries)
        first: done - loaded, // the first estimate
        total: done, // navigation start -> first estimate result
        score: r.score,
        isolated: self.crossOriginIsolated === true,
      };
    } catch (e) {
      self.__benchError = String((e && e.stack) || e);
    }
  };

  self.__benchFail = function (e) {
    self.__benchError = String((e && e.stack) || e);
  };

  // Untimed pass.
  self.__benchWarm = function (passwords) {
    for (var k = 0; k < passwords.length; k++) estimate(passwords[k]);
    return passwords.length;
  };

  // Times every password once: per-estimate milliseconds, scores and log10 guesses.
  self.__benchRun = function (passwords) {
    var n = passwords.length;
    var t = new Array(n);
    var s = new Array(n);
    var l = new Array(n);
    for (var k = 0; k < n; k++) {
      var t0 = performance.now();
      var r = estimate(passwords[k]);
      var t1 = performance.now();
      t[k] = t1 - t0;
      s[k] = r.score;
      l[k] = r.guesses_log10 !== undefined ? r.guesses_log10 : r.guessesLog10; // zxcvbn-ts: camelCase
    }
    return { t: t, s: s, l: l };
  };
})();
