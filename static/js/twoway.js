// twoway: small behaviours wired by data attributes, so pages need no inline script.
(function () {
  "use strict";
  document.addEventListener("submit", function (event) {
    var form = event.target.closest("form[data-confirm]");
    if (form && !window.confirm(form.getAttribute("data-confirm"))) {
      event.preventDefault();
    }
  });
  document.addEventListener("change", function (event) {
    var field = event.target.closest("[data-autosubmit]");
    if (field && field.form) {
      field.form.requestSubmit ? field.form.requestSubmit() : field.form.submit();
    }
  });
})();

// "Add my location" on the appeal form: fills the hidden lat/lng fields from the phone's GPS.
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-geolocate]");
    if (!button || !navigator.geolocation) { return; }
    var form = button.form;
    var status = form.querySelector("[data-geolocate-status]");
    navigator.geolocation.getCurrentPosition(function (pos) {
      form.querySelector("[name=lat]").value = pos.coords.latitude.toFixed(6);
      form.querySelector("[name=lng]").value = pos.coords.longitude.toFixed(6);
      if (status) { status.textContent = button.getAttribute("data-done"); }
    }, function () {
      if (status) { status.textContent = button.getAttribute("data-failed"); }
    }, {timeout: 10000});
  });
})();
