// A throwaway PostgreSQL cluster for the test run: started once by vitest's global setup on a free port,
// always stopped afterwards. The tests fail (never skip) when PostgreSQL cannot start.
import { execFile, execFileSync, spawnSync } from "node:child_process";
import { chmodSync, chownSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";

export interface PostgresCluster {
  adminUrl: string;
  /** Stops the server and removes its data (once; later calls do nothing). */
  stop(): void;
  /**
   * Stops the server but keeps its data, as an operator restarting PostgreSQL does ("fast": sessions are cut).
   * Asynchronous, so that servers living in the calling process (network simulators) keep answering meanwhile.
   */
  pause(): Promise<void>;
  /** Starts a paused server again on the same port and data. */
  resume(): Promise<void>;
}

function findBin(name: string): string {
  const candidates = [
    ...(process.env.PATH ?? "").split(":").map((dir) => path.join(dir, name)),
    ...["17", "16", "15", "14"].map((v) => `/usr/lib/postgresql/${v}/bin/${name}`),
  ];
  for (const candidate of candidates) {
    if (spawnSync("test", ["-x", candidate]).status === 0) return candidate;
  }
  throw new Error(`PostgreSQL's ${name} is not installed (apt-get install postgresql); .ci/run installs it`);
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export async function startPostgresCluster(): Promise<PostgresCluster> {
  const initdb = findBin("initdb");
  const pgCtl = findBin("pg_ctl");
  const dir = mkdtempSync(path.join(tmpdir(), "affiliate-relay-pg-"));
  const dataDir = path.join(dir, "data");
  const asRoot = process.getuid?.() === 0;
  // PostgreSQL refuses to run as root: hand the directory to the postgres user.
  const run = (bin: string, args: string[]) =>
    asRoot ? execFileSync("runuser", ["-u", "postgres", "--", bin, ...args], { stdio: "pipe" }) : execFileSync(bin, args, { stdio: "pipe" });
  if (asRoot) {
    chmodSync(dir, 0o755);
    const uid = Number(execFileSync("id", ["-u", "postgres"]).toString().trim());
    const gid = Number(execFileSync("id", ["-g", "postgres"]).toString().trim());
    chownSync(dir, uid, gid);
  }
  run(initdb, ["-D", dataDir, "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8"]);
  const port = await freePort();
  const options = `-p ${port} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300 -k ${dir}`;
  const startArgs = ["-D", dataDir, "-o", options, "-l", path.join(dir, "server.log"), "-w", "-t", "30", "start"];
  run(pgCtl, startArgs);
  const runAsync = (args: string[]) =>
    new Promise<void>((resolve, reject) => {
      const [file, argv] = asRoot ? ["runuser", ["-u", "postgres", "--", pgCtl, ...args]] : [pgCtl, args];
      execFile(file, argv, (error) => (error ? reject(error) : resolve()));
    });
  let stopped = false;
  let running = true;
  return {
    adminUrl: `postgresql://postgres@127.0.0.1:${port}/postgres`,
    stop() {
      if (stopped) return;
      stopped = true;
      try {
        run(pgCtl, ["-D", dataDir, "-m", "immediate", "-w", "stop"]);
      } catch (error) {
        // Paused: nothing is running (pg_ctl says so and fails).
        if (running) throw error;
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
    async pause() {
      if (stopped || !running) return;
      running = false;
      await runAsync(["-D", dataDir, "-m", "fast", "-w", "-t", "30", "stop"]);
    },
    async resume() {
      if (stopped || running) return;
      await runAsync(startArgs);
      running = true;
    },
  };
}
