import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { workerCount } from "../../src/cli/workers.ts";
import { runToEnd } from "../support/cli.ts";
import { startRedis } from "../support/redis.ts";

const ROOT = join(import.meta.dir, "..", "..");

describe("--workers", () => {
  test("a count, or auto for one per core", () => {
    expect(workerCount("3", 2)).toBe(3);
    expect(workerCount("auto", 8)).toBe(8);
    expect(workerCount("auto", 0)).toBe(1);
    for (const bad of ["0", "-1", "1.5", "x", "", "257"]) {
      expect(() => workerCount(bad, 2)).toThrow(
        /--workers must be a number from 1 to 256, or auto/,
      );
    }
  });
});

describe("--workers that cannot start", () => {
  test("the port taken: exit 1 with the worker's sentence, not restarts forever", async () => {
    const redis = await startRedis();
    const taken = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
    try {
      // A line before the listening one (the open-file limit lowers --max-clients) is no start.
      const { stdout, stderr, code } = await runToEnd(
        [
          "bash",
          "-c",
          'ulimit -n 1024 && exec "$0" src/cli/run-server.ts "$@"',
          process.execPath,
          ...["--workers", "2", "--redis", redis.url, "--no-web", "--port", String(taken.port)],
        ],
        { cwd: ROOT, timeout: 15_000 },
      );
      expect(stdout).toContain("max clients lowered");
      expect(stdout).not.toContain("starting it again");
      expect(stderr).toContain(`cannot listen on 127.0.0.1:${taken.port}`);
      expect(code).toBe(1);
    } finally {
      taken.stop(true);
      await redis.stop();
    }
  }, 20_000);
});
