// Draws the <pre class="mermaid"> blocks of the page with the vendored Mermaid.
// A separate file, since the page's Content-Security-Policy forbids inline scripts.
(function () {
  "use strict";
  var mermaid = window.mermaid;
  if (!mermaid) {
    return;
  }
  mermaid.initialize({ startOnLoad: false, securityLevel: "strict", theme: "default" });
  var blocks = document.querySelectorAll("pre.mermaid");
  mermaid.run({ nodes: blocks }).then(function () {
    blocks.forEach(function (block) {
      var svg = block.querySelector("svg");
      if (svg) {
        svg.setAttribute("role", "img");
        svg.setAttribute("aria-label", block.getAttribute("data-label") || "Schéma du script");
      }
      block.setAttribute("data-drawn", "yes");
    });
  }).catch(function () {
    blocks.forEach(function (block) {
      block.setAttribute("data-drawn", "failed");
    });
  });
})();
