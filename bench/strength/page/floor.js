// The strength benchmark's empty estimator (floor.html): ready as soon as it runs.
self.__benchReady(function () {
  return { score: 0, guesses_log10: 0 };
});
