// SHOP_CUSTOM_DOMAIN: shops on that domain are accepted by Shopify's library as the app configures it
// (app/shopify.server.ts) and by the order routes' own check, which must agree with it; shops on any other
// domain are still refused. The variable is set before the app's Shopify wiring is first imported.
import { InvalidShopError } from "@shopify/shopify-api";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { setDb, type Db } from "../../app/db/client.server.ts";
import { verifyShopifyWebhook } from "../../app/pipeline/webhook-verify.server.ts";
import { customShopDomain } from "../../app/shopify/shop-domain.ts";
import { signedWebhookRequest } from "../../devkit/shopify-webhook.ts";
import { createTestDb } from "../support/databases.ts";

const DOMAIN = "shops.example-brand.test";
process.env.SHOP_CUSTOM_DOMAIN = DOMAIN;
const { addDocumentResponseHeaders, authenticate } = await import("../../app/shopify.server.ts");

async function verdict(check: (request: Request) => Promise<unknown>, request: Request): Promise<number | string> {
  try {
    await check(request);
    return 200;
  } catch (thrown) {
    if (thrown instanceof Response) return thrown.status;
    if (thrown instanceof InvalidShopError) return "InvalidShopError";
    throw thrown;
  }
}

const webhookFrom = (shop: string) => () => signedWebhookRequest({ topic: "app/uninstalled", shop, body: { id: 1 } });

describe("SHOP_CUSTOM_DOMAIN", () => {
  let db: Db;
  beforeAll(async () => {
    ({ db } = await createTestDb("sqlite"));
    setDb(db);
  });
  afterAll(async () => {
    setDb(undefined);
    await db.$disconnect();
  });

  it("accepts a webhook from a shop on the custom domain, in the library and in the order routes' check", async () => {
    expect(await verdict((request) => authenticate.webhook(request), webhookFrom(`acme.${DOMAIN}`)())).toBe(200);
    expect((await verifyShopifyWebhook(webhookFrom(`Acme.${DOMAIN}/`)())).shop).toBe(`acme.${DOMAIN}`);
    // Shopify's own domains still work beside it.
    expect(await verdict((request) => authenticate.webhook(request), webhookFrom("acme.myshopify.com")())).toBe(200);
  });

  it("refuses a shop on another domain, one that only ends like the custom domain, and the bare domain", async () => {
    for (const shop of ["acme.other-brand.test", `acme.x${DOMAIN}`, DOMAIN, `acme.${DOMAIN}.evil.test`]) {
      expect(await verdict((request) => authenticate.webhook(request), webhookFrom(shop)()), shop).toBe("InvalidShopError");
      expect(await verdict(verifyShopifyWebhook, webhookFrom(shop)()), shop).toBe(400);
    }
  });

  it("frames the admin for a shop on the custom domain and for no other", () => {
    const frameAncestors = (shop: string) => {
      const headers = new Headers();
      addDocumentResponseHeaders(new Request(`https://relay.test/app?shop=${shop}`), headers);
      return headers.get("Content-Security-Policy");
    };
    expect(frameAncestors(`acme.${DOMAIN}`)).toContain(`https://acme.${DOMAIN} `);
    expect(frameAncestors("acme.other-brand.test")).toBeNull();
  });

  it("agrees with Shopify's library on generated shop headers around the custom domain", async () => {
    const shopHeader = fc
      .array(fc.constantFrom("acme", "A_b", "-", ".", "/", "admin.", "store/", DOMAIN, "example-brand.test", "shops.", "myshopify.com", "x", "é"), { minLength: 1, maxLength: 6 })
      .map((parts) => parts.join(""));
    await fc.assert(
      fc.asyncProperty(shopHeader, async (shop) => {
        const shopifys = await verdict((request) => authenticate.webhook(request), webhookFrom(shop)());
        expect(await verdict(verifyShopifyWebhook, webhookFrom(shop)()), shop).toBe(typeof shopifys === "string" ? 400 : shopifys);
      }),
      { numRuns: 300 },
    );
  });

  it("refuses a value that is not a domain name", () => {
    for (const value of ["*.example.com", "example", "https://shops.example.com", "shops.example.com/x", "shops..example.com"]) {
      expect(() => customShopDomain({ SHOP_CUSTOM_DOMAIN: value }), value).toThrow(/SHOP_CUSTOM_DOMAIN/);
    }
    expect(customShopDomain({ SHOP_CUSTOM_DOMAIN: " Shops.Example.com " })).toBe("shops.example.com");
    expect(customShopDomain({})).toBeNull();
  });
});
