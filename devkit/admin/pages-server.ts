// The production HTTP server (app/server/http.server.ts, on build/) without the delivery worker: what the admin's
// benchmarks load, so no background work shares the process or changes the seeded rows while pages are timed.
// Prints the line `serve` prints when it listens (devkit/admin/serve.ts waits for it); SIGTERM closes it.
import path from "node:path";
import { startAppServer } from "../../app/server/http.server.ts";

const root = path.resolve(import.meta.dirname, "../..");
const server = await startAppServer({ buildDir: path.join(root, "build"), publicDir: path.join(root, "public"), port: Number(process.env.PORT ?? 0), worker: false });
console.log(`listening on http://localhost:${server.port} (pages only, no delivery worker)`);
process.once("SIGTERM", () => {
  void server.close().then(() => process.exit(0));
});
