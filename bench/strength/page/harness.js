// Loaded first by every estimator page of the strength benchmark (a classic script, no module).
// Each page then calls __benchLoad(src[, onload]) in an inline script; once the page has loaded,
// it inserts the estimator's script (<script data-estimator src=...>), whose script (or `onload`,
// for a library that only defines a global) calls __benchReady(estimate) once it can estimate.
// This file times the cold start from the moment the estimator's script is inserted to the first
// estimate's result, as zxcvbn-model.md's "script load + 1st call"; and offers the functions
// bench.mjs calls through playwright's page.evaluate. All times are performance.now() values:
// milliseconds since the navigation started (the page is cross-origin isolated, so they tick at
// 5 µs).
//
// Why the script is inserted after the page's load event rather than parser-inserted: a parser-
// inserted script is fetched by the preload scanner as soon as the HTML arrives, while the fresh
// browser context is still setting the page up: its request waited 10-20 ms for a connection, in
// parallel with harness.js's, and it could run only once harness.js had arrived and run. A script
// that only calls __benchReady (floor.js) took 40-65 ms "to load" that way on the 2-core VM,
// against 10-30 ms once the page has loaded: a cost of the page, not of the estimator. Inserted
// after load, the clock covers what a site pays for its meter's script: fetch, parse, compile,
// run, then the first estimate. It is the same rule for every estimator.
//
// When the result (or an error) is there, this file logs SETTLED on the console: bench.mjs waits
// for that event rather than polling with page.waitForFunction, whose injected script (playwright
// compiles its helper into the page when the wait starts) would run on the page's main thread in
// the middle of an asynchronous estimator's load (Portcullis's wasm and dictionary come after the
// load event), and not in a synchronous one's.
(function () {
  'use strict';
  var FIRST = 'Tr0ub4dour&3';
  var SETTLED = '__bench:settled'; // bench.mjs waits for this console message
  var estimate = null;
  var start = null; // when the estimator's script was inserted

  // Inserts the estimator's script once the page has loaded; `onload` (optional) runs after the
  // script has run, for a script that only defines a global.
  self.__benchLoad = function (src, onload) {
    self.addEventListener('load', function () {
      var el = document.createElement('script');
      el.src = src;
      el.setAttribute('data-estimator', '');
      el.onerror = function () {
        self.__benchFail(new Error('cannot load ' + src));
      };
      if (onload) el.onload = onload;
      start = performance.now();
      document.head.appendChild(el);
    });
  };

  // Every resource the page fetched: [path, start, end] (ms since navigation start).
  function resources() {
    return performance.getEntriesByType('resource').map(function (e) {
      return [e.name.replace(location.origin, ''), e.startTime, e.responseEnd];
    });
  }

  // Portcullis takes the reference year as an option; zxcvbn reads the clock the same way.
  self.__benchReferenceYear = new Date().getFullYear();

  self.__benchReady = function (fn) {
    try {
      var loaded = performance.now();
      var r = fn(FIRST);
      var done = performance.now();
      estimate = fn;
      self.__cold = {
        start: start, // navigation start -> the estimator's script is inserted
        ready: loaded - start, // script load -> estimator ready (fetch, parse, compile, dictionaries)
        first: done - loaded, // the first estimate
        total: done - start, // script load -> first estimate result (the cold start)
        fromNavigation: done, // navigation start -> first estimate result
        phases: self.__benchPhases || null, // an estimator's own marks (ms since navigation start)
        resources: resources(),
        score: r.score,
        isolated: self.crossOriginIsolated === true,
      };
    } catch (e) {
      self.__benchError = String((e && e.stack) || e);
    }
    console.log(SETTLED);
  };

  self.__benchFail = function (e) {
    self.__benchError = String((e && e.stack) || e);
    console.log(SETTLED);
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
