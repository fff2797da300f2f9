// Starts Redoc on the API reference page (kept out of the page itself: the CSP forbids inline script).
(function () {
  "use strict";
  var container = document.getElementById("redoc-container");
  if (container && window.Redoc) { window.Redoc.init(container.dataset.specUrl, {}, container); }
})();
