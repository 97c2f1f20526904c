/* The crisis declare page's map: progressive enhancement of a form that works without it.
 *
 * Leaflet with no tile server: the country boundaries (GeoJSON from the app) are the whole
 * background. One shape, a polygon or a circle, is drawn with Leaflet.draw and written into
 * the hidden field area_geojson as GeoJSON (a circle as {"circle": {lat, lon, radius_km}}).
 * Clicking a country ticks or unticks it in the list of countries. The provinces of the
 * country picked under "List the provinces of", or of the country the map is zoomed into,
 * are drawn over it; clicking one ticks it in the list of provinces (added if not listed).
 */
(function () {
  "use strict";
  var box = document.getElementById("declare-map");
  if (!box || !window.L || !L.Control || !L.Control.Draw) {
    return;
  }
  var field = document.getElementById("declare-area-field");
  var status = document.getElementById("declare-map-status");
  var texts = JSON.parse(box.getAttribute("data-texts") || "{}");

  function localize() {
    var draw = L.drawLocal.draw;
    var edit = L.drawLocal.edit;
    draw.toolbar.buttons.polygon = texts.polygon;
    draw.toolbar.buttons.circle = texts.circle;
    draw.toolbar.actions.title = texts.cancel;
    draw.toolbar.actions.text = texts.cancel;
    draw.toolbar.finish.title = texts.finish;
    draw.toolbar.finish.text = texts.finish;
    draw.toolbar.undo.title = texts.undo;
    draw.toolbar.undo.text = texts.undo;
    draw.handlers.polygon.tooltip.start = texts.start;
    draw.handlers.polygon.tooltip.cont = texts.next;
    draw.handlers.polygon.tooltip.end = texts.close;
    draw.handlers.circle.tooltip.start = texts.circleStart;
    draw.handlers.circle.radius = texts.radius;
    draw.handlers.simpleshape.tooltip.end = texts.finish;
    edit.toolbar.buttons.edit = texts.edit;
    edit.toolbar.buttons.remove = texts.remove;
    edit.toolbar.actions.save.title = texts.save;
    edit.toolbar.actions.save.text = texts.save;
    edit.toolbar.actions.cancel.title = texts.cancel;
    edit.toolbar.actions.cancel.text = texts.cancel;
    edit.toolbar.actions.clearAll.title = texts.clearAll;
    edit.toolbar.actions.clearAll.text = texts.clearAll;
  }

  localize();
  box.hidden = false;
  status.hidden = false;
  document.getElementById("declare-map-help").hidden = false;

  var map = L.map(box, { preferCanvas: true, worldCopyJump: true, minZoom: 1, maxZoom: 14 });
  map.setView([2, 110], 4);
  map.attributionControl.setPrefix(false);
  map.attributionControl.addAttribution("Natural Earth");

  var drawn = new L.FeatureGroup().addTo(map);
  var drawing = false;

  function countryBox(code) {
    return document.querySelector('input[name="countries"][value="' + code + '"]');
  }

  function countryStyle(feature) {
    var ticked = countryBox(feature.id);
    var chosen = ticked && ticked.checked;
    return {
      color: "#5b6b7f",
      weight: 0.8,
      fillColor: chosen ? "#c2410c" : "#f6f4ee",
      fillOpacity: chosen ? 0.55 : 1,
    };
  }

  var countries = null;
  fetch(box.getAttribute("data-countries"), { credentials: "same-origin" })
    .then(function (answer) {
      return answer.ok ? answer.json() : null;
    })
    .then(function (data) {
      if (!data) {
        return;
      }
      countries = L.geoJSON(data, {
        style: countryStyle,
        onEachFeature: function (feature, layer) {
          layer.on("click", function () {
            var ticked = countryBox(feature.id);
            if (!drawing && ticked) {
              ticked.checked = !ticked.checked;
              countries.setStyle(countryStyle);
            }
          });
        },
      }).addTo(map);
      countries.bringToBack();
      box.setAttribute("data-ready", "true");
      showProvinces(provinceCountry.value, !field.value);
    });

  var provinces = null;
  var provincesOf = "";
  var fitting = false;
  var provinceList = document.getElementById("declare-subdivisions");

  function provinceBox(code) {
    return provinceList.querySelector('input[name="subdivisions"][value="' + code + '"]');
  }

  function provinceStyle(feature) {
    var ticked = provinceBox(feature.id);
    var chosen = ticked && ticked.checked;
    return {
      color: "#8a94a3",
      weight: 0.6,
      fillColor: chosen ? "#c2410c" : "#f6f4ee",
      fillOpacity: chosen ? 0.55 : 0.2,
    };
  }

  // A province the list does not show yet (its country's list was not asked for) joins it.
  function listedProvince(feature) {
    var ticked = provinceBox(feature.id);
    if (ticked) {
      return ticked;
    }
    var choices = provinceList.querySelector(".declare-choices");
    if (!choices) {
      choices = document.createElement("div");
      choices.className = "declare-choices";
      provinceList.appendChild(choices);
    }
    var label = document.createElement("label");
    label.className = "choice";
    ticked = document.createElement("input");
    ticked.type = "checkbox";
    ticked.name = "subdivisions";
    ticked.value = feature.id;
    label.appendChild(ticked);
    label.appendChild(document.createTextNode(" " + feature.properties.name));
    choices.appendChild(label);
    return ticked;
  }

  function showProvinces(country, fit) {
    if (!country || country === provincesOf) {
      return;
    }
    provincesOf = country;
    var url = box.getAttribute("data-provinces").replace("{country}", country);
    fetch(url, { credentials: "same-origin" })
      .then(function (answer) {
        return answer.ok ? answer.json() : null;
      })
      .then(function (data) {
        if (!data || country !== provincesOf) {
          return;
        }
        if (provinces) {
          map.removeLayer(provinces);
        }
        provinces = L.geoJSON(data, {
          style: provinceStyle,
          onEachFeature: function (feature, layer) {
            layer.bindTooltip(feature.properties.name, { sticky: true });
            layer.on("click", function () {
              if (!drawing) {
                var ticked = listedProvince(feature);
                ticked.checked = !ticked.checked;
                provinces.setStyle(provinceStyle);
              }
            });
          },
        }).addTo(map);
        provinces.bringToBack();
        if (countries) {
          countries.bringToBack();
        }
        if (fit) {
          // Not animated, so the provinces are where they will stay once the page says so;
          // the move this makes must not hand the map to a neighbour under its centre.
          fitting = true;
          map.fitBounds(provinces.getBounds(), { maxZoom: 7, animate: false });
          fitting = false;
        }
        box.setAttribute("data-provinces-of", country);
      });
  }

  // Ray casting over every ring of a (multi)polygon layer: holes count as outside.
  function covers(layer, point) {
    var inside = false;
    (function walk(rings) {
      if (rings.length && rings[0] instanceof L.LatLng) {
        for (var i = 0, j = rings.length - 1; i < rings.length; j = i++) {
          var a = rings[i];
          var b = rings[j];
          if (
            a.lat > point.lat !== b.lat > point.lat &&
            point.lng < ((b.lng - a.lng) * (point.lat - a.lat)) / (b.lat - a.lat) + a.lng
          ) {
            inside = !inside;
          }
        }
        return;
      }
      rings.forEach(walk);
    })(layer.getLatLngs());
    return inside;
  }

  map.on("moveend", function () {
    if (!countries || fitting || map.getZoom() < 5) {
      return;
    }
    var centre = map.getCenter().wrap();
    countries.eachLayer(function (layer) {
      if (layer.getBounds().contains(centre) && covers(layer, centre)) {
        showProvinces(layer.feature.id, false);
      }
    });
  });

  var provinceCountry = document.getElementById("declare-province_country");
  provinceCountry.addEventListener("change", function () {
    showProvinces(provinceCountry.value, true);
  });
  provinceList.addEventListener("change", function () {
    if (provinces) {
      provinces.setStyle(provinceStyle);
    }
  });

  document.querySelectorAll('input[name="countries"]').forEach(function (input) {
    input.addEventListener("change", function () {
      if (countries) {
        countries.setStyle(countryStyle);
      }
    });
  });

  function round(value) {
    return Math.round(value * 1e6) / 1e6;
  }

  function write() {
    var layers = drawn.getLayers();
    if (!layers.length) {
      field.value = "";
      status.textContent = texts.none;
      return;
    }
    var shape = layers[0];
    var area;
    if (shape instanceof L.Circle) {
      var centre = shape.getLatLng();
      area = {
        circle: {
          lat: round(centre.lat),
          lon: round(L.Util.wrapNum(centre.lng, [-180, 180], true)),
          radius_km: Math.round(shape.getRadius()) / 1000,
        },
      };
    } else {
      area = shape.toGeoJSON(6).geometry;
    }
    field.value = JSON.stringify(area);
    status.textContent = texts.drawn;
  }

  function restore() {
    if (!field.value) {
      status.textContent = texts.none;
      return;
    }
    try {
      var area = JSON.parse(field.value);
      if (area.circle) {
        drawn.addLayer(
          L.circle([area.circle.lat, area.circle.lon], { radius: area.circle.radius_km * 1000 }),
        );
      } else {
        L.geoJSON(area).eachLayer(function (layer) {
          drawn.addLayer(layer);
        });
      }
      map.fitBounds(drawn.getBounds(), { maxZoom: 8 });
      status.textContent = texts.drawn;
    } catch (ignored) {
      field.value = "";
      status.textContent = texts.none;
    }
  }

  map.addControl(
    new L.Control.Draw({
      position: "topleft",
      draw: {
        polygon: { allowIntersection: false, showArea: false },
        circle: { showRadius: true, metric: true },
        polyline: false,
        rectangle: false,
        marker: false,
        circlemarker: false,
      },
      edit: { featureGroup: drawn },
    }),
  );
  map.on(L.Draw.Event.DRAWSTART, function () {
    drawing = true;
  });
  map.on(L.Draw.Event.DRAWSTOP, function () {
    drawing = false;
  });
  map.on(L.Draw.Event.CREATED, function (event) {
    drawn.clearLayers();
    drawn.addLayer(event.layer);
    write();
  });
  map.on(L.Draw.Event.EDITED, write);
  map.on(L.Draw.Event.DELETED, write);
  restore();
})();
