// The production build for tests that run the real server: built once per change of the sources, one builder at
// a time (test files in parallel forks share build/).
import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";

const root = path.resolve(import.meta.dirname, "../..");
const run = promisify(execFile);

/** Makes build/ match the current sources; resolves with what ensure-build.mjs reported (built in N ms / up to date). */
export async function ensureAppBuild(): Promise<string> {
  const lock = path.join(root, ".cache", "build.lock");
  await run("mkdir", ["-p", path.dirname(lock)]);
  try {
    const { stdout } = await run("flock", [lock, process.execPath, path.join(import.meta.dirname, "ensure-build.mjs")], {
      cwd: root,
      maxBuffer: 16 * 1024 * 1024,
    });
    return stdout.trim();
  } catch (error) {
    const failure = error as { stdout?: string; stderr?: string; message: string };
    throw new Error(`npm run build failed:\n${failure.stderr || failure.stdout || failure.message}`);
  }
}
