import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  classifyCommon,
  classifyTransportFailure,
  parseRetryAfter,
  redactRequest,
  responseExcerpt,
  sendNetworkRequest,
} from "../../app/networks/http.ts";

const response = (status: number, body = "", headers: Record<string, string> = {}) => ({ status, body, headers });

describe("classifyCommon", () => {
  it("follows the shared status rules", () => {
    expect(classifyCommon(response(200))).toEqual({ kind: "success" });
    expect(classifyCommon(response(204))).toEqual({ kind: "success" });
    for (const status of [408, 425, 429, 500, 502, 503]) expect(classifyCommon(response(status)).kind).toBe("retry");
    for (const status of [401, 403]) expect(classifyCommon(response(status)).kind).toBe("credentials_rejected");
    for (const status of [400, 404, 409, 422]) expect(classifyCommon(response(status)).kind).toBe("permanent");
    for (const status of [300, 301, 302, 303, 304, 307, 308]) expect(classifyCommon(response(status)).kind).toBe("redirected");
  });

  it("honours Retry-After in seconds or as a date", () => {
    // HTTP dates have whole seconds: the controlled clock starts from the real now, truncated to one.
    const now = new Date(Math.floor(Date.now() / 1000) * 1000);
    const httpDate = (offsetMs: number) => new Date(now.getTime() + offsetMs).toUTCString();
    expect(classifyCommon(response(429, "", { "retry-after": "7" }), "X", now)).toMatchObject({ kind: "retry", retryAfterMs: 7000 });
    expect(parseRetryAfter(httpDate(30_000), now)).toBe(30_000);
    expect(parseRetryAfter(httpDate(-3_600_000), now)).toBe(0);
    expect(parseRetryAfter("soon", now)).toBeUndefined();
    expect(classifyCommon(response(503), "X", now)).not.toHaveProperty("retryAfterMs");
  });

  it("puts a capped, one-line excerpt of the answer in the reason", () => {
    const reason = (classifyCommon(response(400, `bad\n${"x".repeat(5000)}`)) as { reason: string }).reason;
    expect(reason).not.toContain("\n");
    expect(reason.length).toBeLessThan(400);
    expect(responseExcerpt("y".repeat(5000)).length).toBe(2049);
  });
});

describe("redactRequest", () => {
  it("replaces every secret header value, whatever its case", () => {
    const shown = redactRequest({
      method: "POST",
      url: "https://example.test/x",
      headers: { authorization: "Bearer s3cret", "X-Other": "visible" },
      body: { a: 1 },
      secretHeaders: ["Authorization"],
    });
    expect(shown).toEqual({ method: "POST", url: "https://example.test/x", headers: { authorization: "[redacted]", "X-Other": "visible" }, body: { a: 1 } });
  });
});

describe("sendNetworkRequest", () => {
  let server: http.Server;
  let base: string;
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      if (req.url === "/slow") return void setTimeout(() => res.end("late"), 2_000);
      if (req.url === "/big") return void res.end("z".repeat(200_000));
      let body = "";
      req.on("data", (c: Buffer) => (body += c.toString()));
      req.on("end", () => {
        res.writeHead(201, { "X-Echo": "1", "Content-Type": "application/json" });
        res.end(JSON.stringify({ method: req.method, body, type: req.headers["content-type"] }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it("never puts a secret header's value into the error it returns", async () => {
    // fetch refuses a header value with a line break and quotes it in its message.
    const token = "retrack-secret-token-123456\nsecond-line";
    const result = await sendNetworkRequest({
      method: "POST",
      url: `${base}/x`,
      headers: { Authorization: `Bearer ${token}` },
      body: {},
      secretHeaders: ["Authorization"],
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error).toMatch(/invalid header value|\[redacted\]/);
    expect(result.error).not.toContain("retrack-secret-token");
    expect(result.error).not.toContain("second-line");
  });

  it("sends JSON bodies and returns status, lower-case headers and body", async () => {
    const result = await sendNetworkRequest({ method: "POST", url: `${base}/x`, headers: { "Content-Type": "application/json" }, body: { n: 1 }, secretHeaders: [] });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.response.status).toBe(201);
    expect(result.response.headers["x-echo"]).toBe("1");
    expect(JSON.parse(result.response.body)).toEqual({ method: "POST", body: '{"n":1}', type: "application/json" });
    expect(result.durationMs).toBeGreaterThanOrEqual(0);
  });

  it("gives up after the timeout and says so", async () => {
    const result = await sendNetworkRequest({ method: "GET", url: `${base}/slow`, headers: {}, body: null, secretHeaders: [] }, { timeoutMs: 100 });
    expect(result).toMatchObject({ ok: false, timedOut: true });
    expect(classifyTransportFailure(result as { error: string; timedOut: boolean })).toMatchObject({ kind: "retry", reason: expect.stringMatching(/timed out/) });
  });

  it("reports a refused connection as a retryable failure", async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const result = await sendNetworkRequest({ method: "GET", url: `http://127.0.0.1:${port}/`, headers: {}, body: null, secretHeaders: [] });
    expect(result).toMatchObject({ ok: false, timedOut: false });
    expect(classifyTransportFailure(result as { error: string })).toMatchObject({ kind: "retry", reason: expect.stringMatching(/ECONNREFUSED/) });
  });

  it("stops reading a huge body at 64 KB", async () => {
    const result = await sendNetworkRequest({ method: "GET", url: `${base}/big`, headers: {}, body: null, secretHeaders: [] });
    expect(result.ok && result.response.body.length).toBe(64 * 1024);
  });

  it("keeps its connections to a network open and reuses them (keep-alive)", async () => {
    // A server of its own: its connection count is the test's subject. Node's fetch pools connections per origin
    // (undici's global Agent); a request that starts just as the previous answer ends may still open one more.
    let connections = 0;
    const counting = http.createServer((req, res) => {
      req.resume();
      req.on("end", () => setTimeout(() => res.end("ok"), 5));
    });
    counting.on("connection", () => connections++);
    await new Promise<void>((resolve) => counting.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(counting.address() as AddressInfo).port}/conversions`;
    const send = () => sendNetworkRequest({ method: "POST", url, headers: { "content-type": "application/json" }, body: { n: 1 }, secretHeaders: [] });
    try {
      for (let i = 0; i < 20; i++) expect((await send()).ok).toBe(true);
      expect(connections).toBeLessThanOrEqual(2);
      connections = 0;
      // Four at a time, ten rounds: a connection is opened for a few of the 40 requests, not for each.
      for (let round = 0; round < 10; round++) expect((await Promise.all([send(), send(), send(), send()])).every((r) => r.ok)).toBe(true);
      expect(connections).toBeLessThanOrEqual(10);
    } finally {
      counting.closeAllConnections();
      await new Promise((resolve) => counting.close(resolve));
    }
  });

  it("can be aborted by the caller", async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const result = await sendNetworkRequest({ method: "GET", url: `${base}/slow`, headers: {}, body: null, secretHeaders: [] }, { signal: controller.signal });
    expect(result).toMatchObject({ ok: false, timedOut: false });
  });
});
