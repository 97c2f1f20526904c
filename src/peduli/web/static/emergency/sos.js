// Progressive enhancement of the SOS form: offer the browser's location, nothing else.
// The form works without this file (country and city typed); it never blocks sending.
(function () {
  "use strict";
  var form = document.getElementById("sos-form");
  var status = document.getElementById("location-status");
  if (!form || !status || !navigator.geolocation) return;
  var button = document.createElement("button");
  button.type = "button";
  button.className = "link-button";
  button.textContent = status.getAttribute("data-ask") || "Use my location";
  status.parentNode.insertBefore(button, status);
  button.addEventListener("click", function () {
    status.textContent = status.getAttribute("data-wait") || "…";
    navigator.geolocation.getCurrentPosition(function (position) {
      document.getElementById("latitude").value = position.coords.latitude.toFixed(5);
      document.getElementById("longitude").value = position.coords.longitude.toFixed(5);
      status.textContent = status.getAttribute("data-done") || "OK";
    }, function () {
      status.textContent = status.getAttribute("data-failed") || "";
    }, { enableHighAccuracy: false, timeout: 15000, maximumAge: 300000 });
  });
})();
