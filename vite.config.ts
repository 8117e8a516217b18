// Remix on Vite, as Shopify's app template sets it up. `npm run build` writes build/server/index.js (run by
// app/server/http.server.ts) and build/client (static assets); `shopify app dev` runs the dev server.
import { vitePlugin as remix } from "@remix-run/dev";
import { defineConfig, type UserConfig } from "vite";

// The Shopify CLI passes the tunnel URL as HOST; the app reads SHOPIFY_APP_URL.
if (process.env.HOST && (!process.env.SHOPIFY_APP_URL || process.env.SHOPIFY_APP_URL === process.env.HOST)) {
  process.env.SHOPIFY_APP_URL = process.env.HOST;
  delete process.env.HOST;
}

const host = new URL(process.env.SHOPIFY_APP_URL || "http://localhost").hostname;

// Behind the CLI's tunnel the browser reaches HMR through port 443; locally, on a fixed port.
const hmr =
  host === "localhost"
    ? { protocol: "ws", host: "localhost", port: 64999, clientPort: 64999 }
    : { protocol: "wss", host, port: Number(process.env.FRONTEND_PORT) || 8002, clientPort: 443 };

export default defineConfig({
  server: {
    allowedHosts: [host],
    cors: { preflightContinue: true },
    port: Number(process.env.PORT || 3000),
    hmr,
    fs: { allow: ["app", "node_modules"] },
  },
  plugins: [
    remix({
      // Tests and helper modules beside routes (folder routes use route.tsx) are not routes.
      ignoredRouteFiles: ["**/.*", "**/*.test.*"],
      future: {
        v3_fetcherPersist: true,
        v3_relativeSplatPath: true,
        v3_throwAbortReason: true,
        v3_lazyRouteDiscovery: true,
        v3_singleFetch: false,
      },
    }),
  ],
  build: {
    // Embedded admin pages load assets from our own origin only: no data: URLs for CSP to trip over.
    assetsInlineLimit: 0,
    // Workers (2 cores) and CI logs: the size report only adds noise.
    reportCompressedSize: false,
  },
  ssr: {
    // Dependencies stay in node_modules (resolved at run time, like the CLI does); only app/ is bundled,
    // including the generated Prisma clients in app/db/generated, which import @prisma/client's runtime.
    external: ["@prisma/client"],
  },
  optimizeDeps: {
    include: ["@shopify/app-bridge-react", "@shopify/polaris"],
  },
}) satisfies UserConfig;
