/* caseworker dashboard: a live job's stream resumes from the last event the page received.
   The browser's own reconnect sends Last-Event-ID; when htmx's SSE extension has to open a
   new EventSource instead, this puts the last id received into its `after` parameter. */
(function () {
  "use strict";
  var lastIds = {};

  document.addEventListener("htmx:sseMessage", function (event) {
    var id = event.detail && event.detail.lastEventId;
    var source = event.target.closest && event.target.closest("[sse-connect]");
    if (id && source) {
      lastIds[source.getAttribute("sse-connect")] = id;
    }
  });

  htmx.createEventSource = function (url) {
    var id = lastIds[url];
    var resumed = id ? url.replace(/([?&]after=)[^&]*/, "$1" + encodeURIComponent(id)) : url;
    return new EventSource(resumed, { withCredentials: true });
  };
})();
