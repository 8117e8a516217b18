// App Bridge session tokens as Shopify admin issues them: HS256 JWTs signed with the app's API secret.
import { createHmac, randomUUID } from "node:crypto";
import type { Db } from "../../app/db/client.server.ts";

const base64url = (value: string | Buffer) => Buffer.from(value).toString("base64");

export function sessionToken(options: { shop: string; apiKey: string; apiSecret: string; userId?: string }): string {
  const now = Math.floor(Date.now() / 1000);
  const header = base64url(JSON.stringify({ alg: "HS256", typ: "JWT" }));
  const payload = base64url(
    JSON.stringify({
      iss: `https://${options.shop}/admin`,
      dest: `https://${options.shop}`,
      aud: options.apiKey,
      sub: options.userId ?? "42",
      exp: now + 300,
      nbf: now - 5,
      iat: now - 5,
      jti: randomUUID(),
      sid: randomUUID(),
    }),
  );
  const signature = createHmac("sha256", options.apiSecret).update(`${header}.${payload}`).digest("base64url");
  return `${header}.${payload}.${signature}`;
}

/** The `host` parameter Shopify admin adds to embedded app URLs. */
export const adminHost = (shop: string) => Buffer.from(`admin.shopify.com/store/${shop.replace(/\.myshopify\.com$/, "")}`).toString("base64");

/** An installed shop's offline session, so authenticate.admin() needs no OAuth or token exchange. */
export async function seedOfflineSession(db: Db, shop: string, accessToken: string, scope = "read_orders"): Promise<void> {
  await db.session.create({
    data: {
      id: `offline_${shop}`,
      shop,
      state: "",
      isOnline: false,
      scope,
      accessToken,
      expires: new Date(Date.now() + 24 * 60 * 60 * 1000),
      refreshToken: `${accessToken}-refresh`,
      refreshTokenExpires: new Date(Date.now() + 30 * 24 * 60 * 60 * 1000),
    },
  });
}
