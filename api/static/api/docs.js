"use strict";
// Starts Swagger UI on the API docs page. A static file (the site's CSP allows scripts
// from our own origin only, none inline); the schema address comes from the page.
(function () {
  const root = document.getElementById("swagger-ui");
  if (!root || typeof SwaggerUIBundle === "undefined") {
    return;
  }
  window.ui = SwaggerUIBundle({
    url: root.dataset.schemaUrl,
    dom_id: "#swagger-ui",
    presets: [SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
    deepLinking: true,
    persistAuthorization: false,
    // The API takes no cookie: a token pasted under Authorize is all "Try it out" sends.
    requestInterceptor: function (request) {
      request.credentials = "omit";
      return request;
    },
  });
})();
