import { describe, expect, it } from "vitest";
import { classifyFlexoffers } from "../../app/networks/flexoffers/classify.ts";
import { classifyRefersion } from "../../app/networks/refersion/classify.ts";
import { classifyRetrack } from "../../app/networks/retrack/classify.ts";
import type { NetworkRequest } from "../../app/networks/types.ts";

const answer = (status: number, body = "", headers: Record<string, string> = {}) => ({ status, body, headers });
const post = (url: string, body: unknown = {}): NetworkRequest => ({ method: "POST", url, headers: {}, body, secretHeaders: [] });
const create = post("https://retrack.refunder.com/api/v2/transactions");
const update = post("https://retrack.refunder.com/api/v2/transactions/3afc4a82-93c3-423f-8ee8-542ccb315931");

describe("Refersion classify", () => {
  it("uses the shared rules", () => {
    expect(classifyRefersion(answer(200, "{}"))).toEqual({ kind: "success" });
    expect(classifyRefersion(answer(400, '{"error":"cart_id is required"}'))).toMatchObject({ kind: "permanent", reason: expect.stringMatching(/cart_id is required/) });
    expect(classifyRefersion(answer(403)).kind).toBe("credentials_rejected");
    expect(classifyRefersion(answer(429, "", { "retry-after": "3" }))).toMatchObject({ kind: "retry", retryAfterMs: 3000 });
  });
});

describe("Retrack classify", () => {
  it("takes the uuid from a create answer", () => {
    expect(classifyRetrack(answer(200, '{"data":{"uuid":"u-1"}}'), create)).toEqual({ kind: "success", externalRef: "u-1" });
    expect(classifyRetrack(answer(200, "OK"), create).kind).toBe("retry");
    expect(classifyRetrack(answer(200, '{"data":{}}'), create).kind).toBe("retry");
  });

  it("needs no uuid from updates and rejections", () => {
    expect(classifyRetrack(answer(200, ""), update)).toEqual({ kind: "success" });
  });

  it("never retries a change to an approved transaction", () => {
    expect(classifyRetrack(answer(422, '{"message":"already approved"}'), update)).toMatchObject({ kind: "permanent" });
    expect(classifyRetrack(answer(422, '{"message":"invalid"}'), update).kind).toBe("permanent");
    expect(classifyRetrack(answer(401, "approved"), update).kind).toBe("credentials_rejected");
    expect(classifyRetrack(answer(502), update).kind).toBe("retry");
  });
});

describe("FlexOffers classify", () => {
  it("reads failures out of 200 answers", () => {
    expect(classifyFlexoffers(answer(200, "Success")).kind).toBe("success");
    expect(classifyFlexoffers(answer(200, "")).kind).toBe("success");
    expect(classifyFlexoffers(answer(200, "No click ID found"))).toMatchObject({ kind: "permanent" });
    expect(classifyFlexoffers(answer(200, "Error: invalid advertiserid")).kind).toBe("credentials_rejected");
    expect(classifyFlexoffers(answer(200, "<html>Object moved</html>")).kind).toBe("retry");
    expect(classifyFlexoffers(answer(200, "Error: ordernumber missing")).kind).toBe("permanent");
    expect(classifyFlexoffers(answer(500)).kind).toBe("retry");
  });
});
