// A warning's area on the shipped basemap (offline). Two uses of one element, #warning-area-map:
//  - data-area-url: show the stored area of a warning (the JSON's `area`);
//  - data-draw-field: draw a polygon (click, or Enter at the map's centre, to add a corner; Finish, Undo,
//    Clear) and write it as GeoJSON into the hidden field of that id. No inline script anywhere (CSP).
(function () {
  "use strict";
  var element = document.getElementById("warning-area-map");
  if (!element || !window.L) { return; }
  var map = L.map(element, { zoomControl: true, keyboard: true });
  map.fitBounds([[49.45, 2.5], [53.55, 7.25]]);
  var AREA_STYLE = { color: "#b3261e", weight: 3, fillOpacity: 0.2 };
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

  function show(geometry) {
    var layer = L.geoJSON(geometry, { style: function () { return AREA_STYLE; } }).addTo(map);
    map.fitBounds(layer.getBounds(), { maxZoom: 12, padding: [20, 20] });
    return layer;
  }

  if (element.dataset.areaUrl) {
    getJSON(element.dataset.areaUrl).then(function (found) { show(found.area || found); });
    return;
  }

  var field = document.getElementById(element.dataset.drawField || "");
  var tools = document.querySelector(".draw-tools");
  if (!field || !tools) { return; }
  tools.hidden = false;
  var status = tools.querySelector(".draw-status");
  var corners = [];
  var markers = L.layerGroup().addTo(map);
  var outline = null;
  var finished = false;

  function round(value) { return Math.round(value * 1e6) / 1e6; }

  function say(key) {
    status.textContent = status.dataset[key].replace("{n}", String(corners.length));
  }

  function redraw() {
    markers.clearLayers();
    corners.forEach(function (c) { L.circleMarker(c, { radius: 5, color: "#b3261e", fillOpacity: 1 }).addTo(markers); });
    if (outline) { map.removeLayer(outline); outline = null; }
    if (corners.length > 1) {
      outline = (finished ? L.polygon(corners, AREA_STYLE) : L.polyline(corners, { color: "#b3261e", dashArray: "4 4" })).addTo(map);
    }
    if (finished) { say("done"); } else if (corners.length) { say("open"); } else { say("empty"); }
  }

  function write() {
    if (!finished || corners.length < 3) { field.value = ""; return; }
    var ring = corners.map(function (c) { return [round(c.lng), round(c.lat)]; });
    ring.push(ring[0]);
    field.value = JSON.stringify({ type: "Polygon", coordinates: [ring] });
  }

  function add(latlng) {
    var last = corners[corners.length - 1];
    if (finished || (last && last.equals(latlng))) { return; }  // a corner twice is no polygon
    corners.push(latlng);
    redraw();
  }

  map.on("click", function (event) { add(event.latlng); });
  element.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && event.target === element) { event.preventDefault(); add(map.getCenter()); }
  });
  tools.addEventListener("click", function (event) {
    var action = event.target.dataset ? event.target.dataset.draw : null;
    if (action === "finish" && corners.length >= 3) { finished = true; }
    if (action === "undo") { finished = false; corners.pop(); }
    if (action === "clear") { finished = false; corners = []; }
    write();
    redraw();
  });

  // After a refused form the drawn area comes back in the hidden field: show it, finished.
  if (field.value) {
    try {
      var ring = JSON.parse(field.value).coordinates[0].slice(0, -1);
      corners = ring.map(function (p) { return L.latLng(p[1], p[0]); });
      finished = corners.length >= 3;
      redraw();
      if (outline) { map.fitBounds(outline.getBounds(), { maxZoom: 12, padding: [20, 20] }); }
    } catch (error) { field.value = ""; }
  } else {
    say("empty");
  }
})();
