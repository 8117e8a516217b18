// The admin benches' environment, set before any app module reads it: the Shopify app settings and encryption key
// the served app gets too (devkit/admin/serve.ts), so the bench signs session tokens and stores keys it can read.
import { TEST_ENV } from "../../devkit/admin/serve.ts";

Object.assign(process.env, TEST_ENV, { NODE_ENV: "production" });
