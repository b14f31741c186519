// Vite build and vitest set-up of tspy's notebook app. The build lands in dist/tspy/, which
// `npm run app` hands to Jupyter Server as an extra static path (served at /static/tspy/).
import { defineConfig } from "vitest/config";
import react from "@vitejs/plugin-react";

export default defineConfig({
  plugins: [react()],
  // Relative asset URLs: the app is served under Jupyter Server's /static/tspy/ (and its base_url).
  base: "./",
  build: {
    outDir: "dist/tspy",
    emptyOutDir: true,
    // Monaco (3.5 MB), KaTeX and the ipywidgets base make one ~5.2 MB chunk; the app is served
    // from the local Jupyter Server, not a CDN (vega-embed and the widget controls load on first use).
    chunkSizeWarningLimit: 6000,
    rolldownOptions: {
      onLog(level, log, handler) {
        // @jupyterlab/coreutils' PageConfig reads a Node-only config file through eval('require');
        // that branch never runs in a browser.
        if (log.code === "EVAL" && log.id?.includes("@jupyterlab/coreutils")) return;
        // widgets.tsx imports outputs.tsx at run time only to break the import cycle between them
        // (the Output widget draws with OutputArea); it is not meant to split a chunk.
        if (log.code === "INEFFECTIVE_DYNAMIC_IMPORT" && log.message.includes("src/widgets.tsx")) return;
        handler(level, log);
      },
    },
  },
  test: {
    environment: "jsdom",
    include: ["src/**/*.test.ts", "src/**/*.test.tsx"],
    // The output frames' stylesheets are read as text (`?raw`) into each frame's document; their
    // tests read the real text (vitest otherwise gives CSS files as empty strings); so is KaTeX's (maths-style.ts).
    css: { include: [/outputs-(frame|maths)\.css/, /katex\.min\.css/] },
  },
});
