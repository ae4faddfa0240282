// Starts the NHS.UK frontend components (served locally, no CDN).
import { initAll } from "/assets/nhsuk-frontend.min.js";
initAll();
