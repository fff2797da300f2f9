// The common operational picture: an offline basemap drawn from shipped boundaries, the layers the
// platform registers (each fetched through the sharing policy), details on click, live refresh.
(function () {
  "use strict";
  var element = document.getElementById("map");
  if (!element || !window.L) { return; }

  var words = {};
  var dictionary = document.getElementById("i18n-map");
  // A <template>'s children live in its content fragment, not in the document.
  (dictionary ? dictionary.content : document).querySelectorAll("[data-key]").forEach(function (node) {
    words[node.dataset.key] = node.textContent;
  });

  var map = L.map(element, { zoomControl: true, preferCanvas: true, keyboard: true });
  map.fitBounds([[49.45, 2.5], [53.55, 7.25]]);  // the Benelux, whatever the screen size
  if (element.dataset.tileUrl) {
    L.tileLayer(element.dataset.tileUrl, { maxZoom: 18 }).addTo(map);
  }

  var BASEMAP_STYLE = {
    countries: { color: "#333", weight: 2.5, fill: true, fillColor: "#f4f1ea", fillOpacity: 1 },
    regions: { color: "#555", weight: 1.2, fill: false, dashArray: "6 4" },
    municipalities: { color: "#999", weight: 0.5, fill: false },
    rivers: { color: "#2a7fd4", weight: 1.8 }
  };
  var BASEMAP_DEFAULT = { countries: true, regions: true, municipalities: false, rivers: true };

  function checkbox(list, id, label, checked, onChange, swatch) {
    var wrapper = document.createElement("label");
    var input = document.createElement("input");
    input.type = "checkbox";
    input.checked = checked;
    input.id = "layer-" + id;
    input.addEventListener("change", function () { onChange(input.checked); });
    wrapper.appendChild(input);
    if (swatch) {
      var box = document.createElement("span");
      box.className = "swatch";
      box.style.borderColor = swatch;
      box.setAttribute("aria-hidden", "true");
      wrapper.appendChild(box);
    }
    wrapper.appendChild(document.createTextNode(label));
    list.appendChild(wrapper);
  }

  function getJSON(url) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } }).then(function (r) {
      if (!r.ok) { throw new Error(url + " answered " + r.status); }
      return r.json();
    });
  }

  // Basemap: drawn below everything else, in its own pane.
  map.createPane("basemap").style.zIndex = 250;
  var basemapList = document.getElementById("basemap-list");
  getJSON(element.dataset.basemapUrl).then(function (layers) {
    var credits = [];
    layers.forEach(function (info) {
      var style = Object.assign({ pane: "basemap", interactive: false }, BASEMAP_STYLE[info.id] || {});
      var layer = L.geoJSON(null, { style: function () { return style; }, pane: "basemap", interactive: false });
      var loaded = false;
      function show(on) {
        if (on && !loaded) {
          loaded = true;
          getJSON(info.url).then(function (data) { layer.addData(data); });
        }
        if (on) { layer.addTo(map); } else { map.removeLayer(layer); }
      }
      checkbox(basemapList, "basemap-" + info.id, words[info.id] || info.id, !!BASEMAP_DEFAULT[info.id], show, style.color);
      show(!!BASEMAP_DEFAULT[info.id]);
      if (credits.indexOf(info.attribution) < 0) { credits.push(info.attribution); }
    });
    document.getElementById("attribution").textContent = credits.join(" · ");
  });

  // Details panel: built with textContent only, so no feature property can inject markup.
  var details = document.getElementById("feature-details");
  function row(list, term, value) {
    var dt = document.createElement("dt");
    dt.textContent = term;
    var dd = document.createElement("dd");
    dd.textContent = value;
    list.appendChild(dt);
    list.appendChild(dd);
  }
  function incidentRows(list, p) {
    if (p.mode && p.mode !== "live") { row(list, "", "⚠ " + p.mode.toUpperCase()); }
    row(list, words.hazard, words["hazard:" + p.hazard] || p.hazard);
    Object.keys(p.levels || {}).forEach(function (country) { row(list, country, p.levels[country].replace(/_/g, " ")); });
  }
  function incidentLink(p) {
    var link = document.createElement("a");
    link.href = "/incidents/" + encodeURIComponent(p.incident_id);
    link.textContent = words["open-incident"];
    details.appendChild(link);
  }
  function showDetails(features) {
    details.textContent = "";
    features.forEach(function (feature) {
      var p = feature.properties || {};
      var heading = document.createElement("h3");
      heading.textContent = p.title || p.name || p.code || feature.id;
      details.appendChild(heading);
      var list = document.createElement("dl");
      if (p.kind === "incident") { incidentRows(list, p); }
      if (p.partner_name || p.code) { row(list, words.partner, p.partner_name || p.code); }
      if (p.country) { row(list, words.country, p.country); }
      if (p.role) { row(list, "", p.role.replace(/_/g, " ")); }
      if (p.staffed_now !== undefined) { row(list, "", p.staffed_now ? "● " + words.staffed : "○ " + words.unstaffed); }
      (p.channels || []).forEach(function (channel) { row(list, channel.kind, channel.value); });
      if (p.marking) { row(list, "TLP", p.marking); }
      details.appendChild(list);
      if (p.kind === "incident") { incidentLink(p); return; }
      var partnerId = p.partner_id;
      if (partnerId) {
        var link = document.createElement("a");
        link.href = "/partners/" + encodeURIComponent(partnerId);
        link.textContent = words.open;
        details.appendChild(link);
      }
    });
  }

  // Platform layers: whatever the layer registry offers, fetched through the sharing policy.
  var layerList = document.getElementById("layer-list");
  var active = {};
  function pointLayer(info, data) {
    var groups = {};
    (data.features || []).forEach(function (feature) {
      var key = feature.geometry.coordinates.join(",");
      (groups[key] = groups[key] || []).push(feature);
    });
    var layer = L.layerGroup();
    layer.byKey = {};
    Object.keys(groups).forEach(function (key) {
      var features = groups[key];
      var coords = features[0].geometry.coordinates;
      var icon = L.divIcon({ className: "contact-marker", html: String(features.length), iconSize: [28, 28] });
      var marker = L.marker([coords[1], coords[0]], { icon: icon, keyboard: true,
        title: (features[0].properties.partner_name || "") + " — " + features.length + " " + words.contacts });
      marker.on("click", function () { showDetails(features); });
      marker.on("keypress", function () { showDetails(features); });
      layer.byKey[key] = marker;
      layer.addLayer(marker);
    });
    return layer;
  }
  function shapeLayer(info, data) {
    var style = Object.assign({ color: "#1f5fbf", weight: 1.5 }, info.style || {});
    var shapes = L.geoJSON(data, {
      style: function () { return style; },
      onEachFeature: function (feature, layer) { layer.on("click", function () { showDetails([feature]); }); }
    });
    if (style.symbol !== "incident") { return shapes; }
    // An incident's area can be small at the scale of the Benelux: a marker keeps it in sight.
    var group = L.layerGroup([shapes]);
    group.byKey = {};
    (data.features || []).forEach(function (feature) {
      var anchor = (feature.properties || {}).anchor;
      if (!anchor) { return; }
      var icon = L.divIcon({ className: "incident-marker mode-" + feature.properties.mode, html: "!", iconSize: [26, 26] });
      var marker = L.marker([anchor.coordinates[1], anchor.coordinates[0]], { icon: icon, keyboard: true,
        title: feature.properties.title });
      marker.on("click", function () { showDetails([feature]); });
      marker.on("keypress", function () { showDetails([feature]); });
      group.byKey[feature.id || anchor.coordinates.join(",")] = marker;
      group.addLayer(marker);
    });
    return group;
  }
  // The marker of `layer` that has the keyboard focus, by its key (its place, or its incident).
  function focusedKey(layer) {
    var focused = document.activeElement;
    var keys = layer && layer.byKey ? Object.keys(layer.byKey) : [];
    return keys.find(function (key) { return layer.byKey[key].getElement() === focused; }) || null;
  }
  function load(info) {
    return getJSON(info.url).then(function (data) {
      var fresh = info.geometry === "point" ? pointLayer(info, data) : shapeLayer(info, data);
      var state = active[info.id];
      // Live events reload the layers: a keyboard user keeps the focus on the same marker.
      var keep = focusedKey(state.layer);
      if (state.layer) { map.removeLayer(state.layer); }
      state.layer = fresh;
      if (state.on) { fresh.addTo(map); }
      var again = keep && state.on && fresh.byKey && fresh.byKey[keep] ? fresh.byKey[keep].getElement() : null;
      if (again) { again.focus(); }
    }).catch(function () { details.textContent = words["layer-failed"]; });
  }
  getJSON(element.dataset.layersUrl).then(function (layers) {
    layerList.textContent = "";
    layers.forEach(function (info) {
      active[info.id] = { info: info, on: info.visible, layer: null };
      checkbox(layerList, info.id, info.title, info.visible, function (on) {
        var state = active[info.id];
        state.on = on;
        if (state.layer) { if (on) { state.layer.addTo(map); } else { map.removeLayer(state.layer); } }
      }, (info.style || {}).color);
      load(info);
    });
  });

  // Live: refresh the layers (debounced) and list what happened.
  var pending = null;
  function refreshSoon() {
    if (pending) { return; }
    pending = window.setTimeout(function () {
      pending = null;
      Object.keys(active).forEach(function (id) { load(active[id].info); });
    }, 400);
  }
  var activity = document.getElementById("activity");
  // The user's own time zone (not the browser's), always with its UTC offset.
  var clock = new Intl.DateTimeFormat(document.documentElement.lang, {
    timeZone: document.body.dataset.timezone || undefined, hour: "2-digit", minute: "2-digit", second: "2-digit",
    timeZoneName: "shortOffset"
  });
  document.addEventListener("crisislink:event", function (event) {
    var data = event.detail;
    if (activity.querySelector(".muted")) { activity.textContent = ""; }
    var item = document.createElement("li");
    item.textContent = clock.format(new Date(data.occurred_at)) + " — " +
      data.type.split(".").slice(-1)[0].replace(/_/g, " ") + (data.payload && data.payload.name ? ": " + data.payload.name : "");
    activity.insertBefore(item, activity.firstChild);
    while (activity.children.length > 50) { activity.removeChild(activity.lastChild); }
    refreshSoon();
  });
  document.addEventListener("crisislink:live", refreshSoon);
  window.crisislinkMap = map;
})();
