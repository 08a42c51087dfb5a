import { describe, expect, test } from "bun:test";
import { LinkError, RedisLink, redacted } from "../../../src/server/cluster/redis.ts";

describe("Redis URLs in what people read", () => {
  test("a Redis URL is logged without its password", () => {
    expect(redacted("redis://:secret@10.0.0.5:6379")).toBe("redis://:***@10.0.0.5:6379");
    expect(redacted("redis://127.0.0.1:6379")).toBe("redis://127.0.0.1:6379");
    expect(redacted("not a url")).toBe("the Redis URL");
  });

  test("an unreachable Redis is named without its password", async () => {
    // Port 1 on loopback: nothing listens there, so the connection is refused at once.
    const opening = RedisLink.open("redis://papo:s3cretpw@127.0.0.1:1", "room", "node");
    const error = await opening.then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(LinkError);
    expect((error as Error).message).toContain("redis://papo:***@127.0.0.1:1");
    expect((error as Error).message).not.toContain("s3cretpw");
  });
});
