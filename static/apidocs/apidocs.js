// Start Swagger UI on the API page; the document's address comes from the page.
(function () {
  "use strict";
  var root = document.getElementById("swagger-ui");
  window.SwaggerUIBundle({
    url: root.getAttribute("data-spec-url"),
    domNode: root,
    deepLinking: false,
    tryItOutEnabled: false,
    validatorUrl: null,
    supportedSubmitMethods: ["get", "post"]
  });
}());
