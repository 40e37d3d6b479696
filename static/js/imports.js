// The progress of an import running in the background (imports/detail.html): poll the
// job's small JSON status, move the bar, and show the result page when the run is over.
// Loaded only where a run is in progress; the page works without it (a Refresh link).
(function () {
  var box = document.querySelector("[data-import-progress]");
  if (!box) return;
  var bar = box.querySelector("progress");
  var text = box.querySelector("[data-progress-text]");
  var percent = box.querySelector("[data-progress-percent]");
  var delay = 1000;

  function show(state) {
    if (state.waiting) {
      bar.removeAttribute("value"); // an indeterminate bar until the worker starts
    } else {
      bar.max = Math.max(state.total, 1);
      bar.value = Math.min(state.done, bar.max);
      percent.textContent = state.percent + "%";
    }
    if (state.text) text.textContent = state.text;
  }

  function poll() {
    fetch(box.dataset.statusUrl, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) throw new Error(response.status);
        return response.json();
      })
      .then(function (state) {
        if (!state.running) {
          window.location.replace(state.url); // the result page
          return;
        }
        show(state);
        delay = 1000;
        window.setTimeout(poll, delay);
      })
      .catch(function () {
        // A hiccup (server restarting, network): try again, a little less often.
        delay = Math.min(delay * 2, 15000);
        window.setTimeout(poll, delay);
      });
  }

  window.setTimeout(poll, delay);
})();
