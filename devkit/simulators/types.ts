// The contract between devkit's loopback servers (network-simulators.ts) and each network's stand-in, which lives in
// that network's own folder as app/networks/<id>/simulator.ts and exports `simulator` (a SimulatorDefinition).
import type { NetworkId } from "../../app/networks/registry.ts";

export type SimulatedNetwork = NetworkId;

/**
 * Failures every simulator can be told to give: "5xx" (503), "429" (with Retry-After), "timeout" (the answer held
 * longer than a client waits), "401" (the network's answer to bad keys), "malformed" (an answer the client cannot
 * use). A network may add modes of its own (a "no-click" 200) through SimulatorDefinition.failures.
 */
export type SharedFailureMode = "5xx" | "429" | "timeout" | "401" | "malformed";
export type FailureMode = SharedFailureMode | (string & {});

export interface IncomingRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  /** Lower-case names, as node gives them. */
  headers: Record<string, string>;
  rawBody: string;
}

/** What a simulator answers. `accepted` marks a request the network recorded (a 2xx success). */
export interface SimulatedAnswer {
  status: number;
  headers?: Record<string, string>;
  body: string;
  accepted: boolean;
  /** What the request was for: conversion, cancel, update, reject. */
  kind: string;
  /** The network's parsed view of the request (JSON body, or the query for a GET postback). */
  parsed?: unknown;
  problems?: string[];
}

/** An injected failure's answer. `cut`: the headers promise more than the body, then the connection drops. */
export interface InjectedAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
  cut?: boolean;
}

/** A JSON answer, as most networks' APIs give them. */
export const jsonAnswer = (status: number, body: unknown, accepted: boolean, kind: string, extra: Partial<SimulatedAnswer> = {}): SimulatedAnswer => ({
  status,
  headers: { "content-type": "application/json" },
  body: JSON.stringify(body),
  accepted,
  kind,
  ...extra,
});

export interface ReceivedRequest extends IncomingRequest {
  network: SimulatedNetwork;
  kind: string;
  body: unknown;
  status: number;
  accepted: boolean;
  /** Set when the simulator was told to fail this request. */
  injected?: FailureMode;
  problems: string[];
  receivedAt: number;
}

/** A network's stand-in: answers one request at a time, remembering what it recorded until reset. */
export interface NetworkSimulator {
  handle(request: IncomingRequest): SimulatedAnswer;
  reset(): void;
}

export interface SimulatorCreateOptions {
  /** The clock a simulator's own time rules read (a rate limit's window); tests pass a controlled one. */
  now: () => number;
  /**
   * Whether the simulator answers 429 past the network's documented rate limit (the default). Off only where a test
   * or benchmark sends more than that on purpose and measures something else, until the worker paces each network
   * as its DeliveryPacing says (app/networks/types.ts).
   */
  rateLimits: boolean;
  /** Where rateLimits holds: a limit of the caller's own in place of the documented one (a window a test can fill). */
  rateLimit?: { requests: number; perMs: number };
}

/** What app/networks/<id>/simulator.ts exports as `simulator`. */
export interface SimulatorDefinition<Settings extends { enabled: boolean } = { enabled: boolean } & Record<string, unknown>> {
  /**
   * A fresh stand-in that accepts exactly the credentials in `settings`: devkit derives them from the network's
   * placeholder settings (devkit/simulators/settings.ts), and the relay under test is given the same settings.
   */
  create(settings: Settings, options: SimulatorCreateOptions): NetworkSimulator;
  /**
   * The network's own answers to injected failures where they differ from the shared ones ("401" in its words,
   * a "malformed" answer of the kind it really gives), and failure modes only this network has.
   */
  failures?: Record<string, InjectedAnswer>;
  /** One line on what a request reported ("order 1001, 2 item(s), USD"), for `npm run demo`'s summary. */
  summarize(request: ReceivedRequest): string;
  /**
   * What the network documents as required in a conversion: paths into the request's JSON body ("items.0.sku"),
   * or query parameter names where it has none (a GET postback). test/networks/conformance.test.ts takes the relay's
   * own conversion request, removes each in turn, and expects the simulator to refuse it.
   */
  requiredFields: readonly string[];
  /** The order references (the order name without "#") a request reported: for exactly-once checks. */
  orderReferences(request: ReceivedRequest): string[];
}
