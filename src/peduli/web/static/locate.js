// "Use my location" on forms with latitude/longitude fields (lapor diri, crisis check-in).
// Progressive enhancement: the button stays hidden without JavaScript or geolocation, and
// the form works without it. Its messages come from the button's data-wait/-done/-fail.
(function () {
  "use strict";
  var button = document.getElementById("locate");
  var status = document.getElementById("locate-status");
  if (!button || !status || !navigator.geolocation) return;
  button.hidden = false;
  button.addEventListener("click", function () {
    status.textContent = button.dataset.wait;
    navigator.geolocation.getCurrentPosition(function (position) {
      document.getElementById("latitude").value = position.coords.latitude.toFixed(5);
      document.getElementById("longitude").value = position.coords.longitude.toFixed(5);
      status.textContent = button.dataset.done;
    }, function () {
      status.textContent = button.dataset.fail;
    }, { timeout: 15000, maximumAge: 600000 });
  });
})();
