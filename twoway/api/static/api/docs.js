/* Starts Swagger UI for /api/v1/docs from a static file: the site's Content-Security-Policy
   allows no inline script. The settings come from the page's data-config attribute. */
(function () {
  "use strict";
  var root = document.getElementById("swagger-ui");
  var config = JSON.parse(root.getAttribute("data-config"));
  config.presets = [SwaggerUIBundle.presets.apis];
  config.layout = "BaseLayout";
  window.ui = SwaggerUIBundle(config);
})();
