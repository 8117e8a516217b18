export type SimulatedNetwork = "refersion" | "retrack" | "flexoffers";
export type FailureMode = "5xx" | "429" | "timeout" | "401" | "no-click" | "malformed";

export interface IncomingRequest {
  method: string;
  path: string;
  query: Record<string, string>;
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
  /** The network's parsed view of the request (JSON body, or the query for FlexOffers). */
  parsed?: unknown;
  problems?: string[];
}

/** A JSON answer, as Refersion's and Retrack's APIs give them. */
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
