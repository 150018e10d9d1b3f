// Loaded first by every estimator page of the strength benchmark (a classic script, no module).
// Each page then runs `__benchStart()` in an inline script right before the estimator's script tag
// (<script data-estimator src=...>), whose script calls __benchReady(estimate) once it can
// estimate. This file times the cold start from the moment the estimator's script starts loading
// (the earlier of the __benchStart() mark and the script's resource-timing startTime: the
// browser's preload scanner may fetch it before the inline script runs) to the first estimate's
// result, as zxcvbn-model.md's "script load + 1st call"; and offers the functions bench.mjs calls
// through playwright's page.evaluate. All times are performance.now() values: milliseconds since
// the navigation started (the page is cross-origin isolated, so they tick at 5 µs).
(function () {
  'use strict';
  var FIRST = 'Tr0ub4dour&3';
  var estimate = null;
  var mark = null;

  self.__benchStart = function () {
    mark = performance.now();
  };

  // When the estimator's script started loading: the mark, or its fetch if that came earlier.
  function scriptStart() {
    var el = document.querySelector('script[data-estimator]');
    var start = mark;
    var entries = el ? performance.getEntriesByName(el.src, 'resource') : [];
    if (entries.length && (start === null || entries[0].startTime < start)) start = entries[0].startTime;
    return start === null ? 0 : start;
  }

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
      var start = scriptStart();
      self.__cold = {
        start: start, // navigation start -> the estimator's script starts loading
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
