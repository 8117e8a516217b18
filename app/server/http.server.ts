// The production HTTP server: express serving the Remix build (build/server/index.js) and its static assets
// (build/client, which holds public/ too), with the delivery worker running in the same process. Webhook POSTs
// are handed to their route actions before the Remix adapter (app/server/webhook-fast-path.server.ts). /healthz,
// /readyz and /metrics are answered before Remix (app/observability/probes.server.ts says who may read /metrics).
import { existsSync } from "node:fs";
import type { Server } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { createRequestHandler } from "@remix-run/express";
import type { ServerBuild } from "@remix-run/node";
import express from "express";
import {
  healthAnswer,
  metricsAnswer,
  metricsListenFromEnv,
  metricsTokenFromEnv,
  readinessAnswer,
  startProbeListener,
  type Answer,
  type ProbeListener,
  type Probes,
} from "../observability/probes.server.ts";
import type { Background, BackgroundOptions } from "./background.server.ts";
import { webhookFastPath } from "./webhook-fast-path.server.ts";

export interface AppServerOptions {
  /** The folder `npm run build` writes: build/server/index.js and build/client. */
  buildDir: string;
  /** public/, served after build/client (Vite copies it into build/client; this covers files added since). */
  publicDir?: string;
  /** 0 picks a free port (tests). */
  port: number;
  host?: string;
  /** Runs the delivery worker in this process (default true); stopped on close. */
  worker?: boolean;
  /** How long close() lets requests in flight finish before cutting their connections. */
  drainMs?: number;
  /** The release's prisma/ folder, for /readyz (default: beside buildDir). */
  prismaDir?: string;
}

export interface AppServer {
  port: number;
  /** The METRICS_PORT listener's port, when METRICS_PORT is set. */
  metricsPort?: number;
  /** Stops accepting, lets requests in flight finish, stops the worker, disconnects the database. */
  close(): Promise<void>;
}

export class BuildMissingError extends Error {}

/** The Remix build, or a clear error when there is none. */
export async function loadServerBuild(buildDir: string): Promise<ServerBuild> {
  const entry = path.join(buildDir, "server", "index.js");
  if (!existsSync(entry) || !existsSync(path.join(buildDir, "client"))) {
    throw new BuildMissingError(`no app build in ${buildDir} (build/server/index.js is missing): run npm run build first`);
  }
  return (await import(pathToFileURL(entry).href)) as ServerBuild;
}

// app/entry.server.tsx re-exports startBackground: the worker must run on the build's own copy of the app's
// modules, sharing the routes' database client, rather than on a second copy loaded beside the build.
function backgroundOf(build: ServerBuild): (options: BackgroundOptions) => Background {
  const start = (build.entry.module as unknown as { startBackground?: (options: BackgroundOptions) => Background }).startBackground;
  if (typeof start !== "function") throw new Error("the app build does not export startBackground from app/entry.server.tsx: run npm run build");
  return start;
}

function send(res: express.Response, answer: Answer): void {
  res.status(answer.status).set({ "Content-Type": answer.contentType, "Cache-Control": "no-store", ...answer.headers }).send(answer.body);
}

export function createApp(
  build: ServerBuild,
  options: Pick<AppServerOptions, "buildDir" | "publicDir">,
  observability: { probes: Probes; metricsToken: string | undefined },
): express.Express {
  const app = express();
  app.disable("x-powered-by");
  // A liveness probe for load balancers that touches neither Remix nor the database.
  app.get("/healthz", (_req, res) => send(res, healthAnswer()));
  // Readiness: the database answers and has every migration of this release.
  app.get("/readyz", (_req, res, next) => {
    readinessAnswer(observability.probes).then((answer) => send(res, answer), next);
  });
  app.get("/metrics", (req, res, next) => {
    metricsAnswer(observability.probes, { token: observability.metricsToken, authorization: req.get("authorization") }).then((answer) => send(res, answer), next);
  });
  // Webhook POSTs go straight to their route's action (app/server/webhook-fast-path.server.ts says why).
  app.post("/webhooks/*", webhookFastPath(build));
  const client = path.join(options.buildDir, "client");
  // Vite fingerprints everything under assets/: cache for a year.
  app.use("/assets", express.static(path.join(client, "assets"), { immutable: true, maxAge: "1y", index: false }));
  app.use(express.static(client, { maxAge: "1h", index: false }));
  if (options.publicDir && existsSync(options.publicDir)) app.use(express.static(options.publicDir, { maxAge: "1h", index: false }));
  // No body parser anywhere before Remix: webhook HMACs are checked against the raw body.
  app.all("*", createRequestHandler({ build, mode: "production" }));
  return app;
}

function listen(app: express.Express, port: number, host: string | undefined): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = host ? app.listen(port, host) : app.listen(port);
    server.once("listening", () => resolve(server));
    server.once("error", reject);
  });
}

export async function startAppServer(options: AppServerOptions): Promise<AppServer> {
  // Configuration errors (Shopify keys, DATABASE_URL, ENCRYPTION_KEY) surface here, before anything listens.
  const build = await loadServerBuild(options.buildDir);
  const metricsToken = metricsTokenFromEnv();
  const metricsListen = metricsListenFromEnv();
  const background = backgroundOf(build)({
    worker: options.worker ?? true,
    prismaDir: options.prismaDir ?? path.join(options.buildDir, "..", "prisma"),
  });
  let server: Server;
  let probeListener: ProbeListener | undefined;
  try {
    server = await listen(createApp(build, options, { probes: background.probes, metricsToken }), options.port, options.host);
    if (metricsListen) probeListener = await startProbeListener(background.probes, { ...metricsListen, token: metricsToken });
  } catch (error) {
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    await background.stopWorker();
    await background.disconnect();
    throw error;
  }

  // Track connections so that close() can cut the ones still busy after the drain period.
  const sockets = new Set<Socket>();
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
  });
  // While closing, a keep-alive connection whose last request just finished is closed at once rather than
  // left open until its keep-alive timeout (which would hold the process for seconds after the last answer).
  let draining = false;
  server.on("request", (_req, res) => {
    res.once("finish", () => {
      if (draining) setImmediate(() => server.closeIdleConnections());
    });
  });

  let closing: Promise<void> | undefined;
  const close = async () => {
    draining = true;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    const timer = setTimeout(() => {
      for (const socket of sockets) socket.destroy();
    }, options.drainMs ?? 10_000);
    try {
      await Promise.all([closed, background.stopWorker(), probeListener?.close()]);
    } finally {
      clearTimeout(timer);
      await background.disconnect();
    }
  };

  return {
    port: (server.address() as AddressInfo).port,
    metricsPort: probeListener?.port,
    close: () => (closing ??= close()),
  };
}
