// A request's staging area on the shipped basemap (offline). Two uses of one element, #staging-map:
//  - data-lon / data-lat: show where the staging area is;
//  - data-lon-field / data-lat-field: a click (or Enter, at the map's centre) sets those two fields, and
//    typing in them moves the marker. No inline script anywhere (CSP): everything comes from data-*.
(function () {
  "use strict";
  var element = document.getElementById("staging-map");
  if (!element || !window.L) { return; }
  var map = L.map(element, { zoomControl: true, keyboard: true });
  var MARK = { radius: 8, color: "#0b4f8a", weight: 3, fillColor: "#ffffff", fillOpacity: 1 };
  var BASEMAP = {
    countries: { color: "#333", weight: 2.5, fillColor: "#f4f1ea", fillOpacity: 1 },
    regions: { color: "#555", weight: 1.2, fill: false, dashArray: "6 4" }
  };

  function getJSON(url) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } }).then(function (r) {
      if (!r.ok) { throw new Error(url + " answered " + r.status); }
      return r.json();
    });
  }
  getJSON(element.dataset.basemapUrl).then(function (layers) {
    layers.filter(function (info) { return BASEMAP[info.id]; }).forEach(function (info) {
      getJSON(info.url).then(function (data) {
        L.geoJSON(data, { style: function () { return BASEMAP[info.id]; }, interactive: false }).addTo(map).bringToBack();
      });
    });
  });

  var marker = null;
  function mark(lat, lon) {
    if (marker) { marker.setLatLng([lat, lon]); } else { marker = L.circleMarker([lat, lon], MARK).addTo(map); }
  }
  function number(value) {
    var parsed = parseFloat(String(value || "").replace(",", "."));
    return isNaN(parsed) ? null : parsed;
  }

  var lonField = document.getElementById(element.dataset.lonField || "");
  var latField = document.getElementById(element.dataset.latField || "");
  if (!lonField || !latField) {
    var lon = number(element.dataset.lon), lat = number(element.dataset.lat);
    if (lon === null || lat === null) { map.setView([50.86, 5.83], 9); return; }
    mark(lat, lon);
    map.setView([lat, lon], 11);
    return;
  }

  var status = document.getElementById(element.dataset.status || "");
  function round(value) { return Math.round(value * 1e5) / 1e5; }
  function set(latlng) {
    lonField.value = String(round(latlng.lng));
    latField.value = String(round(latlng.lat));
    mark(latlng.lat, latlng.lng);
    if (status) { status.textContent = status.dataset.placed.replace("{lon}", lonField.value).replace("{lat}", latField.value); }
  }
  function fromFields() {
    var lon = number(lonField.value), lat = number(latField.value);
    if (lon !== null && lat !== null) { mark(lat, lon); return [lat, lon]; }
    return null;
  }

  var start = fromFields();
  map.setView(start || [number(element.dataset.centreLat) || 50.86, number(element.dataset.centreLon) || 5.83], start ? 11 : 9);
  map.on("click", function (event) { set(event.latlng); });
  element.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && event.target === element) { event.preventDefault(); set(map.getCenter()); }
  });
  lonField.addEventListener("change", fromFields);
  latField.addEventListener("change", fromFields);
})();
