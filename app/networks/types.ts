// The contract every affiliate network folder implements (app/networks/<id>/index.ts), listed once in
// app/networks/registry.ts. Adding a network means adding one folder and one line there.
import type { z } from "zod";
import type { PricedOrder, PricedRefund } from "../orders/model.ts";

export type HttpMethod = "GET" | "POST";

/** A request ready to send. Header names listed in secretHeaders are redacted wherever it is logged or shown. */
export interface NetworkRequest {
  method: HttpMethod;
  url: string;
  headers: Record<string, string>;
  /** Parsed JSON body, or null where the request has none (FlexOffers' GET postback). */
  body: unknown | null;
  secretHeaders: string[];
}

/** What a network's mapper makes of an order; app/networks/decide.ts applies the shared rules around it. */
export type Decision = { action: "send"; request: NetworkRequest } | { action: "skip"; reason: string };

export interface NetworkResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** What a response (or a transport failure) means for the delivery. */
export type Classification =
  | { kind: "success"; externalRef?: string; note?: string }
  | { kind: "retry"; reason: string; retryAfterMs?: number }
  | { kind: "permanent"; reason: string }
  /** A 3xx: never followed (a secret could go to another host, a POST become a GET); final, replayable. */
  | { kind: "redirected"; reason: string; location: string | null }
  | { kind: "credentials_rejected"; reason: string };

export interface MappingContext {
  /**
   * Whether the merchant sends test orders. A mapper is only called for a test order when they do: the skip is
   * app/networks/decide.ts's, like every rule networks share.
   */
  sendTestOrders: boolean;
  /** What an earlier successful delivery of this order to this network returned (Retrack's transaction uuid). */
  externalRef?: string | null;
  /**
   * Every refund recorded for the order so far, this one included. Networks that take the order's absolute state
   * (Retrack) subtract them all, so whichever update lands last is complete, in whatever order retries land.
   */
  refundsSoFar?: PricedRefund[];
}

/** One field of a network's settings block, as the admin's form and the settings file show it. */
export interface SettingsField<Key extends string = string> {
  key: Key;
  label: string;
  /** Where the merchant finds the value, in their words. */
  help: string;
  /**
   * Secret fields are encrypted at rest, never logged, never sent to a browser; write-only in the admin (never
   * rendered back, only "set, ending in 1234"). app/networks/fields.ts derives the secret list from this.
   */
  secret: boolean;
  input: "text" | "number";
  /** Required while the network is switched on. */
  required: boolean;
}

/** What a "test connection" could establish, said plainly to the merchant. */
export interface CredentialsCheck {
  outcome: "accepted" | "rejected" | "unverified";
  /** What was checked and what could not be. */
  message: string;
}

/**
 * How the storefront script (app/storefront/embed) captures this network's click from a landing URL. Every value
 * is shopper-controlled input: the script keeps it only when it matches `pattern` whole.
 */
export interface StorefrontCapture {
  /** The landing URL parameter carrying the click ("refid"). */
  param: string;
  /** Source of a RegExp the whole value must match. */
  pattern: string;
  /** The first-party cookie that keeps the click between visits. */
  cookie: string;
  /** The cart attribute the click travels in onto the order's note_attributes: a contract, never renamed. */
  cartAttribute: string;
  /** The cookie window: fixed by the network, or a (number) settings field of the merchant's with its default. */
  days: { fixed: number } | { setting: string; default: number };
  /**
   * A landing parameter carrying where to send the shopper on (Retrack's `deeplink`): when present beside a valid
   * click, the script keeps the click and redirects, to this store's own host only (anything else goes home).
   */
  redirectParam?: string;
  /** A click value as the network's links carry it: it must match `pattern` (the conformance suite uses it). */
  example: string;
}

/**
 * A network whose own script records the click in the shopper's browser (Refersion): app/storefront/embed loads
 * it and copies what it recorded into a cart attribute. Declared here for what is derived from the registry (the
 * README's table, the conformance suite, devkit's order builders); how the tracker is driven is the embed's.
 */
export interface OwnTracker {
  /** The tracker's script URL. */
  script: string;
  /** The cart attribute the storefront script fills from the tracker: a contract, never renamed. */
  cartAttribute: string;
  /** A value as that attribute carries it (the conformance suite and devkit use it). */
  example: string;
}

/** A URL the network is reached at, overridable for loopback test servers; read at call time, never cached. */
export interface NetworkEndpoint {
  /** The environment variable that overrides it (PRODUCT.md "Environment"). */
  env: string;
  /** The production URL. */
  default: string;
  /** What it is, for README's configuration table ("API base: the app appends /transactions"). */
  purpose: string;
}

/**
 * Limits a network puts on how its API is called; the worker honours them per shop, across all its processes
 * (app/pipeline/claim-paced.server.ts).
 */
export interface DeliveryPacing {
  /** At most this many requests per window of `perMs` for one shop (the worker spaces them evenly). */
  rateLimit?: { requests: number; perMs: number };
  /** Conversions that may travel in one request; above 1 only with the network's `combine`. */
  batchSize?: number;
}

export interface NetworkDefinition<Settings extends { enabled: boolean } = { enabled: boolean }, Id extends string = string> {
  /** The settings file's key for this network (a literal type, so the settings file's type can list it). */
  id: Id;
  label: string;
  /** Absent where the network's click is not captured from a landing parameter (Refersion's own tracker does it). */
  storefront?: StorefrontCapture;
  /** Where the network's own tracker records the click in the browser instead of a landing capture. */
  ownTracker?: OwnTracker;
  pacing?: DeliveryPacing;
  /** Every URL the network is reached at (conversions, reversals, the credentials check). */
  endpoints: readonly NetworkEndpoint[];
  /** The settings block's fields besides `enabled`, in the order the admin shows them. */
  fields: readonly SettingsField<Exclude<keyof Settings, "enabled"> & string>[];
  /**
   * "Test connection": asks the network whether these credentials work, without reporting an order, and says what
   * that proves and what not. Where the network has no such call, it sends nothing and answers "unverified", saying
   * why. Never follows a redirect (app/networks/shared/credentials-check.ts).
   */
  checkCredentials?(settings: Settings, options: { signal?: AbortSignal }): Promise<CredentialsCheck>;
  /** The network's block of the settings file, with messages a merchant can act on. */
  settingsSchema: z.ZodType<Settings>;
  /**
   * Settings with obviously fake credentials: what `affiliate-relay preview` uses when no settings file is given,
   * and what test/networks/conformance.test.ts starts from (it requires them).
   */
  placeholderSettings?: Settings;
  /** Whether reversals exist; when false, cancellations and refunds are recorded as skips with this reason. */
  reversal: { supported: true } | { supported: false; reason: string };
  mapConversion(order: PricedOrder, settings: Settings, ctx: MappingContext): Decision;
  mapCancellation(order: PricedOrder, settings: Settings, ctx: MappingContext): Decision;
  mapRefund(order: PricedOrder, refund: PricedRefund, settings: Settings, ctx: MappingContext): Decision;
  classify(response: NetworkResponse, request: NetworkRequest): Classification;
  /**
   * Where pacing.batchSize is above 1: one request carrying the conversions of `requests` (each this network's
   * mapConversion of one order, all of one shop), in their order. May throw where they cannot share a request.
   */
  combine?(requests: readonly NetworkRequest[]): NetworkRequest;
  /**
   * What the answer to a combined request means for each request combined, in their order, so that one order the
   * network refuses does not fail the others. Without it, classify's verdict on the whole answer applies to each.
   */
  classifyEach?(response: NetworkResponse, combined: NetworkRequest, parts: readonly NetworkRequest[]): Classification[];
  /**
   * A second look at an answer classify alone cannot settle, with follow-up calls to the same network through
   * `send` (Retrack: a create refused because its order number is taken looks the transaction up). Absent for most;
   * never asked about a combined request (combine, classifyEach).
   */
  reconsider?(answer: NetworkAnswer, send: (request: NetworkRequest) => Promise<FollowUpResult>): Promise<Classification>;
}

export interface NetworkAnswer {
  request: NetworkRequest;
  response: NetworkResponse;
  classification: Classification;
}

/** What a follow-up call came back with (app/networks/http.ts sendNetworkRequest). */
export type FollowUpResult = { ok: true; response: NetworkResponse } | { ok: false; error: string; timedOut: boolean };
