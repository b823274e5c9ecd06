/* The job status page: poll /jobs/<id>.json and move the bar; when the job has ended, load
   the page again, which shows the result. Without JavaScript the page refreshes itself
   (<noscript> meta refresh) and has a reload link. */
(function () {
  "use strict";
  var box = document.getElementById("job");
  if (!box) { return; }
  var url = box.getAttribute("data-status-url");
  var bar = document.getElementById("job-bar");
  var state = document.getElementById("job-state");
  var percent = document.getElementById("job-percent");
  var delay = 500;

  function show(status) {
    var p = status.progress.percent;
    bar.value = p;
    bar.textContent = p + "%";
    percent.textContent = p + "%";
    state.textContent = status.state_label;
    box.setAttribute("data-state", status.state);
  }

  function poll() {
    fetch(url, {headers: {"Accept": "application/json"}, credentials: "same-origin"})
      .then(function (response) {
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.json();
      })
      .then(function (status) {
        show(status);
        if (status.finished) {
          window.location.reload();
          return;
        }
        delay = Math.min(delay * 1.3, 3000);
        window.setTimeout(poll, delay);
      })
      .catch(function () {
        delay = Math.min(delay * 2, 10000);
        window.setTimeout(poll, delay);
      });
  }

  if (box.getAttribute("data-state") === "queued" || box.getAttribute("data-state") === "running") {
    window.setTimeout(poll, delay);
  }
}());
