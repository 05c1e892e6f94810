/// <reference types="vitest/config" />
// Builds the console into <repo>/build/console (INFOBUS_CONSOLE_OUT overrides), with asset paths
// relative to the site root, as the gateway serves it at `/`. `npm run dev` proxies /api and
// /healthz to a running gateway ($INFOBUS_GATEWAY, default https://127.0.0.1:50080, whose
// certificate is the local PKI's: not verified by the dev proxy).
import { defineConfig } from "vite";
import react from "@vitejs/plugin-react";
import path from "node:path";

const gateway = process.env.INFOBUS_GATEWAY ?? "https://127.0.0.1:50080";
const outDir = process.env.INFOBUS_CONSOLE_OUT ?? path.resolve(import.meta.dirname, "../build/console");

export default defineConfig({
  base: "/",
  plugins: [react()],
  build: { outDir, emptyOutDir: true, chunkSizeWarningLimit: 2000 },
  server: {
    proxy: {
      "/api": { target: gateway, changeOrigin: true, secure: false },
      "/healthz": { target: gateway, changeOrigin: true, secure: false },
    },
  },
  // `npm test`: the unit tests; `npm run test:gateway`: src/e2e against a running gateway.
  test: {
    environment: "node",
    include: process.env.INFOBUS_CONSOLE_E2E ? ["src/e2e/*.e2e.ts"] : ["src/**/*.test.ts"],
    testTimeout: 20_000,
  },
});
