// One incident's affected area on the shipped basemap (offline), refreshed when the incident changes.
(function () {
  "use strict";
  var element = document.getElementById("incident-map");
  if (!element || !window.L) { return; }
  var map = L.map(element, { zoomControl: true, keyboard: true });
  map.fitBounds([[49.45, 2.5], [53.55, 7.25]]);

  function getJSON(url) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } }).then(function (r) {
      if (!r.ok) { throw new Error(url + " answered " + r.status); }
      return r.json();
    });
  }
  var BASEMAP = {
    countries: { color: "#333", weight: 2.5, fillColor: "#f4f1ea", fillOpacity: 1 },
    regions: { color: "#555", weight: 1.2, fill: false, dashArray: "6 4" }
  };
  getJSON(element.dataset.basemapUrl).then(function (layers) {
    layers.filter(function (info) { return BASEMAP[info.id]; }).forEach(function (info) {
      getJSON(info.url).then(function (data) {
        L.geoJSON(data, { style: function () { return BASEMAP[info.id]; }, interactive: false }).addTo(map).bringToBack();
      });
    });
  });
  var area = null;
  function loadArea() {
    getJSON(element.dataset.areaUrl).then(function (feature) {
      if (area) { map.removeLayer(area); }
      area = L.geoJSON(feature, { style: function () { return { color: "#b3261e", weight: 3, fillOpacity: 0.2 }; } }).addTo(map);
      map.fitBounds(area.getBounds(), { maxZoom: 12, padding: [20, 20] });
    });
  }
  loadArea();
  if (window.crisislinkLive) { window.crisislinkLive.on("crisislink.incidents.updated", loadArea); }
})();
