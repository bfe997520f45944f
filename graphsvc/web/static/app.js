// Does the work of NHS.UK's inline page-template script (forbidden by our content security policy),
// then starts NHS.UK frontend's components. Every page works without this file.
import { initAll } from "./vendor/nhsuk/nhsuk-frontend.min.js";

document.body.classList.add("js-enabled");
if ("noModule" in HTMLScriptElement.prototype) {
  document.body.classList.add("nhsuk-frontend-supported");
}
initAll();
