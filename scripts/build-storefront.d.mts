// Types for scripts/build-storefront.mjs, imported by test/storefront and bench/storefront.bench.ts.
export const storefrontSource: string;
export const storefrontAsset: string;
export function buildStorefrontScript(): Promise<string>;
export function gzippedSize(code: string): number;
