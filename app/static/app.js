// Starts the NHS.UK frontend components (served locally, no CDN).
import { initAll } from "/frontend/nhsuk-frontend.min.js";
initAll();
