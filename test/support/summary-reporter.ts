// Ends the run with the plain "N passed, N failed, N skipped" line that CI reads, beside vitest's own summary.
import type { Reporter, TestModule } from "vitest/node";

export default class SummaryReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>) {
    let passed = 0;
    let failed = 0;
    let skipped = 0;
    for (const module of testModules) {
      for (const test of module.children.allTests()) {
        const state = test.result().state;
        if (state === "passed") passed++;
        else if (state === "failed") failed++;
        else skipped++;
      }
      if (module.state() === "failed" && [...module.children.allTests()].length === 0) failed++;
    }
    // Printed at exit so that it stays the last line, after the global teardown's output.
    process.once("exit", () => process.stdout.write(`\nvitest: ${passed} passed, ${failed} failed, ${skipped} skipped\n`));
  }
}
