// The fetch Shopify's library uses (app/shopify/admin-api-origin.server.ts): the tests' loopback stand-in only,
// and never a redirect followed with the token on board.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { abstractFetch } from "@shopify/shopify-api/runtime";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adminApiRequestUrl, adminApiStandInOrigin, AdminApiOriginError, installAdminApiFetch } from "../../app/shopify/admin-api-origin.server.ts";

describe("SHOPIFY_ADMIN_API_ORIGIN", () => {
  it("is unset in production: requests go to the shop as the library builds them", () => {
    expect(adminApiStandInOrigin("")).toBeNull();
    expect(adminApiRequestUrl("https://a.myshopify.com/admin/api/2026-10/graphql.json", null)).toBe("https://a.myshopify.com/admin/api/2026-10/graphql.json");
  });

  it("sends the shop's /admin/ requests to a loopback stand-in, path and query kept", () => {
    const origin = adminApiStandInOrigin("http://127.0.0.1:4321");
    expect(origin).toBe("http://127.0.0.1:4321");
    expect(adminApiRequestUrl("https://a.myshopify.com/admin/oauth/access_token", origin)).toBe("http://127.0.0.1:4321/admin/oauth/access_token");
    expect(adminApiRequestUrl("https://a.myshopify.com/admin/api/2026-10/graphql.json?x=1", origin)).toBe("http://127.0.0.1:4321/admin/api/2026-10/graphql.json?x=1");
    expect(adminApiRequestUrl("https://cdn.shopify.com/x.js", origin)).toBe("https://cdn.shopify.com/x.js");
  });

  it("refuses anything but a loopback origin, so credentials cannot be sent elsewhere", () => {
    for (const value of ["https://attacker.example", "http://10.0.0.8:80", "http://127.0.0.1.attacker.example", "http://127.0.0.1:80/prefix", "not a url", "http://user@127.0.0.1:1"]) {
      expect(() => adminApiStandInOrigin(value), value).toThrow(AdminApiOriginError);
    }
    for (const value of ["http://localhost:3000", "http://[::1]:3000", "http://127.0.0.1:9"]) expect(adminApiStandInOrigin(value), value).not.toBeNull();
  });
});

describe("the library's fetch", () => {
  let seenElsewhere: string[] = [];
  let redirecting: http.Server;
  let elsewhere: http.Server;
  beforeAll(async () => {
    elsewhere = http.createServer((req, res) => {
      seenElsewhere.push(String(req.headers["x-shopify-access-token"]));
      res.end("{}");
    });
    await new Promise<void>((resolve) => elsewhere.listen(0, "127.0.0.1", () => resolve()));
    const target = `http://127.0.0.1:${(elsewhere.address() as AddressInfo).port}/admin/api/x`;
    redirecting = http.createServer((_req, res) => {
      res.writeHead(302, { location: target });
      res.end();
    });
    await new Promise<void>((resolve) => redirecting.listen(0, "127.0.0.1", () => resolve()));
    process.env.SHOPIFY_ADMIN_API_ORIGIN = `http://127.0.0.1:${(redirecting.address() as AddressInfo).port}`;
    installAdminApiFetch();
  });
  afterAll(async () => {
    delete process.env.SHOPIFY_ADMIN_API_ORIGIN;
    seenElsewhere = [];
    await new Promise((resolve) => redirecting.close(resolve));
    await new Promise((resolve) => elsewhere.close(resolve));
  });

  it("answers a redirect as it is instead of following it with the access token", async () => {
    const response = await abstractFetch("https://a.myshopify.com/admin/api/2026-10/graphql.json", {
      method: "POST",
      headers: { "X-Shopify-Access-Token": "shpat_secret" },
      body: "{}",
    });
    expect(response.status).toBe(302);
    expect(seenElsewhere).toEqual([]);
  });
});
