// Server-side rendering, streamed; Shopify's document headers (CSP frame-ancestors, etc.) on every page.
import { PassThrough } from "node:stream";
import { renderToPipeableStream } from "react-dom/server";
import { RemixServer } from "@remix-run/react";
import { createReadableStreamFromReadable, type EntryContext } from "@remix-run/node";
import { isbot } from "isbot";
import { addDocumentResponseHeaders } from "./shopify.server.ts";

// The production server (app/server/http.server.ts) starts the delivery worker through the build, so that the
// worker and the routes share the build's modules and database client.
export { startBackground } from "./server/background.server.ts";

export const streamTimeout = 5000;

export default async function handleRequest(
  request: Request,
  responseStatusCode: number,
  responseHeaders: Headers,
  remixContext: EntryContext,
): Promise<Response> {
  addDocumentResponseHeaders(request, responseHeaders);
  // Crawlers get the whole page at once; browsers get the shell as soon as it is ready.
  const waitForAll = isbot(request.headers.get("user-agent") ?? "");

  return new Promise((resolve, reject) => {
    let status = responseStatusCode;
    // Give React time to flush rejected deferred data before the stream is cut; never keep a stopping server up.
    const deadline = setTimeout(() => abort(), streamTimeout + 1000);
    deadline.unref();
    const respond = () => {
      const body = new PassThrough();
      responseHeaders.set("Content-Type", "text/html; charset=utf-8");
      resolve(new Response(createReadableStreamFromReadable(body), { headers: responseHeaders, status }));
      pipe(body);
    };
    const { pipe, abort } = renderToPipeableStream(<RemixServer context={remixContext} url={request.url} />, {
      onShellReady() {
        if (!waitForAll) respond();
      },
      onAllReady() {
        clearTimeout(deadline);
        if (waitForAll) respond();
      },
      onShellError(error: unknown) {
        clearTimeout(deadline);
        reject(error);
      },
      onError(error: unknown) {
        status = 500;
        console.error(error);
      },
    });
  });
}
