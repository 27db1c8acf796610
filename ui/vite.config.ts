// Builds the UI into the Python package (headwater/web/static/), which the web server serves:
// index.html for UI routes and the hashed files under /static/ (not /assets/: that is the
// UI's asset pages). Installing the package never
// needs Node.js; only `make ui` does.
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

export default defineConfig({
  base: "/",
  plugins: [react()],
  build: {
    // Relative to this folder (Vite's root).
    outDir: "../headwater/web/static",
    // The output folder is outside ui/: Vite only empties it when told to.
    emptyOutDir: true,
    assetsDir: "static",
    target: "es2022",
    sourcemap: false,
  },
  server: {
    // `npm run dev` beside a running `headwater webserver` on its default port.
    proxy: { "/api": "http://127.0.0.1:3000" },
  },
});
