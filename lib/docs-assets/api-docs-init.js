/* global window, document, SwaggerUIBundle, SwaggerUIStandalonePreset */
// Starts Swagger UI on the API reference page (GET /v1/docs, shared/http/api-docs.ts). A file of its own, not
// an inline script, so the page's Content-Security-Policy allows scripts from the assets base only.
(function startApiReference() {
  var root = document.getElementById('swagger-ui');
  if (!root) return;
  window.ui = SwaggerUIBundle({
    url: root.getAttribute('data-openapi-url'),
    domNode: root,
    deepLinking: true,
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
    plugins: [SwaggerUIBundle.plugins.DownloadUrl],
    layout: 'StandaloneLayout',
    // The public validator would send our document to swagger.io (and the CSP would block it anyway).
    validatorUrl: null,
  });
})();
