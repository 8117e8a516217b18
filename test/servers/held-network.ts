// A loopback network endpoint that holds every request until the test answers it: for what must happen while a
// delivery is in flight (an uninstall, a customers/redact). `arrival()` resolves when the next request is held;
// `answer()` releases the oldest held one with the given response. Unanswered requests are cut at close().
import http from "node:http";
import type { AddressInfo } from "node:net";

export interface HeldRequest {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export interface HeldNetwork {
  url: string;
  received: HeldRequest[];
  /** Resolves with the next request once it is held (or at once with one already held and not yet awaited). */
  arrival(): Promise<HeldRequest>;
  answer(status: number, body?: string, headers?: Record<string, string>): void;
  close(): Promise<void>;
}

export async function startHeldNetwork(): Promise<HeldNetwork> {
  const received: HeldRequest[] = [];
  const held: http.ServerResponse[] = [];
  const waiting: Array<(request: HeldRequest) => void> = [];
  let awaited = 0;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const request = { method: req.method ?? "", path: req.url ?? "", headers: req.headers, body: Buffer.concat(chunks).toString("utf8") };
      received.push(request);
      held.push(res);
      const waiter = waiting.shift();
      if (waiter) {
        awaited++;
        waiter(request);
      }
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    received,
    arrival() {
      if (awaited < received.length) return Promise.resolve(received[awaited++]!);
      return new Promise((resolve) => waiting.push(resolve));
    },
    answer(status, body = "", headers = { "content-type": "application/json" }) {
      const res = held.shift();
      if (!res) throw new Error("no request is held");
      res.writeHead(status, { ...headers, connection: "close" });
      res.end(body);
    },
    async close() {
      for (const res of held.splice(0)) res.socket?.destroy();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
