// crisislink console: CSRF header for htmx requests, and the live feed with a visible connection state.
// No inline script anywhere (CSP): what the page needs is read from meta tags and data attributes.
(function () {
  "use strict";
  var csrf = document.querySelector('meta[name="csrf-token"]');
  document.body.addEventListener("htmx:configRequest", function (event) {
    if (csrf && csrf.content) { event.detail.headers["X-CSRF-Token"] = csrf.content; }
  });

  var status = document.getElementById("live-status");
  if (!status || !window.EventSource) { return; }
  var text = status.querySelector(".live-text");
  var icon = status.querySelector(".live-icon");
  var source = null;
  var lastId = null;

  function show(state) {
    status.dataset.state = state;
    text.textContent = text.dataset[state];
    icon.textContent = state === "live" ? "●" : state === "offline" ? "✕" : "◌";
  }

  function deliver(message) {
    if (message.lastEventId) { lastId = message.lastEventId; }
    var data;
    try { data = JSON.parse(message.data); } catch (error) { return; }
    document.dispatchEvent(new CustomEvent("crisislink:event", { detail: data }));
    refreshRegions(data.type);
  }

  // Page regions marked data-live-refresh="<event type prefixes>" reload themselves (htmx) when such
  // an event arrives, so lists stay current without a page reload.
  function refreshRegions(type) {
    document.querySelectorAll("[data-live-refresh]").forEach(function (region) {
      var wanted = region.dataset.liveRefresh.split(",").some(function (prefix) {
        return type.indexOf(prefix.trim()) === 0;
      });
      if (wanted && window.htmx) { window.htmx.trigger(region, "crisislink-refresh"); }
    });
  }

  function connect() {
    show("connecting");
    // The browser resends Last-Event-ID when it reconnects by itself; when we reconnect by hand we
    // pass the last id we saw, so the server sends exactly what was missed.
    source = new EventSource("/api/events" + (lastId ? "?after=" + encodeURIComponent(lastId) : ""));
    source.onopen = function () { show("live"); document.dispatchEvent(new CustomEvent("crisislink:live")); };
    source.onmessage = deliver;
    source.addEventListener("ready", function (message) { lastId = message.lastEventId || message.data; });
    source.onerror = function () {
      show("offline");
      if (source.readyState === EventSource.CLOSED) { window.setTimeout(connect, 3000); }
    };
  }

  window.crisislinkLive = {
    on: function (typePrefix, handler) {
      document.addEventListener("crisislink:event", function (event) {
        if (event.detail.type.indexOf(typePrefix) === 0) { handler(event.detail); }
      });
    },
    reconnect: function () { if (source) { source.close(); } connect(); }
  };
  connect();
})();
