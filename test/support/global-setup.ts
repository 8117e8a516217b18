import type { TestProject } from "vitest/node";
import { startPostgresCluster } from "../../devkit/databases/postgres-cluster.ts";

export default async function setup(project: TestProject) {
  const cluster = await startPostgresCluster();
  project.provide("postgresAdminUrl", cluster.adminUrl);
  console.log(`[postgres] test cluster started at ${cluster.adminUrl.replace(/\/\/[^@]*@/, "//")}`);
  const stop = () => cluster.stop();
  process.once("exit", stop);
  return () => {
    stop();
    console.log("[postgres] test cluster stopped");
  };
}

declare module "vitest" {
  export interface ProvidedContext {
    postgresAdminUrl: string;
  }
}
