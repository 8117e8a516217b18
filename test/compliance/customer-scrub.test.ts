// What customers/redact removes from stored values and free text, and what it keeps.
import { describe, expect, it } from "vitest";
import { customerNeedles, scrubLoggedRequest, scrubText, scrubValue } from "../../app/compliance/customer-scrub.ts";

const jane = customerNeedles({ firstName: "Jane", lastName: "Roe", email: "jane.roe+shop@example.com", ipAddress: "203.0.113.9" }, { phone: "+1 555 0100" });

describe("scrubbing one customer", () => {
  it("finds the email in a landing URL however it is encoded, and keeps the rest of the URL", () => {
    for (const email of ["jane.roe%2Bshop%40example.com", "jane.roe%252Bshop%2540example.com", "JANE.ROE+shop@EXAMPLE.com"]) {
      const landingSite = `https://shop.test/pages/x?email=${email}&click=2b1f3c1e-6a5d-4c1b-9f0e-00000000beef#top`;
      expect(scrubValue({ landingSite }, jane)).toEqual({ landingSite: "https://shop.test/pages/x?email=[redacted]&click=2b1f3c1e-6a5d-4c1b-9f0e-00000000beef#top" });
    }
    expect(scrubValue({ landingSite: "/?greeting=hi+jane&ref=7" }, jane)).toEqual({ landingSite: "/?greeting=[redacted]&ref=7" });
  });

  it("removes a name written inside a shopper's note attribute, not from hidden attributes or product titles", () => {
    const order = {
      noteAttributes: { "Gift message": "Happy birthday, love from Jane!", _retrack_click: "roe-0000", "Jane's note": "x" },
      lines: [{ sku: "ROE-1", title: "Roe deer print" }],
      customer: { firstName: "Jane" },
    };
    expect(scrubValue(order, jane)).toEqual({
      noteAttributes: { "Gift message": "[redacted]", _retrack_click: "roe-0000", "[redacted]": "x" },
      lines: [{ sku: "ROE-1", title: "Roe deer print" }],
      customer: null,
    });
  });

  it("removes the name, email, phone and IP from a network's answer, word by word", () => {
    expect(scrubText('{"message":"Thanks Jane Roe <jane.roe+shop@example.com> from 203.0.113.9, +1 555 0100; Janet stays"}', jane)).toBe(
      '{"message":"Thanks [redacted] [redacted] <[redacted]> from [redacted], [redacted]; Janet stays"}',
    );
  });

  it("scrubs a logged request's body and drops its customer block", () => {
    const logged = JSON.stringify({ method: "POST", url: "https://x.test/", headers: {}, body: { order_id: "1001", customer: { first_name: "Jane" }, note: "for Jane" } });
    expect(JSON.parse(scrubLoggedRequest(logged, jane))).toEqual({ method: "POST", url: "https://x.test/", headers: {}, body: { order_id: "1001", customer: null, note: "[redacted]" } });
  });

  it("changes nothing without a customer to look for", () => {
    const none = customerNeedles(null);
    expect(scrubText("Jane", none)).toBe("Jane");
    expect(scrubValue({ a: "jane@example.com" }, none)).toEqual({ a: "jane@example.com" });
  });
});
