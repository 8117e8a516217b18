import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { landingSiteParam } from "../../app/networks/shared/attribution.ts";
import { cleanText, cleanUrl } from "../../app/orders/shopper-text.ts";

// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/;

describe("shopper text at the edge", () => {
  it("drops control characters, turns tabs and line breaks into spaces, and repairs lone surrogates", () => {
    expect(cleanText("a\u0000b\u001b[0m\tc\r\nd\u0085e\u007f")).toBe("ab[0m c  de");
    expect(cleanText("x\ud800y\udc00z 😀")).toBe("x\ufffdy\ufffdz 😀");
    expect(cleanText("Grüße, 東京 #1001")).toBe("Grüße, 東京 #1001");
  });

  it("removes percent-encoded control characters from URLs, however they are nested", () => {
    expect(cleanUrl("/?click=%00&x=%0A%0d%7F%c2%85%C2%9f&ok=%20%2F%C3%A9")).toBe("/?click=&x=&ok=%20%2F%C3%A9");
    expect(cleanUrl("/?a=%0%000")).toBe("/?a=");
  });

  it("never lets a landing page parameter decode into a control character", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary" }), fc.array(fc.integer({ min: 0, max: 0x9f }).map((c) => `%${c.toString(16).padStart(2, "0")}`)), (text, encoded) => {
        const url = cleanUrl(`/?click=${encoded.join("")}${text}`);
        expect(url).not.toMatch(CONTROL);
        expect(landingSiteParam(url, "click") ?? "").not.toMatch(CONTROL);
      }),
      { numRuns: 300 },
    );
  });
});
