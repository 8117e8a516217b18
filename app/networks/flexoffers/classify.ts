// FlexOffers often answers HTTP 200 to a postback it did not record, with the failure in the body
// ("No click ID found"). Those are failures the merchant must see; an error page served with 200 is retried.
import { classifyCommon, responseExcerpt } from "../http.ts";
import type { Classification, NetworkRequest, NetworkResponse } from "../types.ts";

export function classifyFlexoffers(response: NetworkResponse, _request?: NetworkRequest): Classification {
  const common = classifyCommon(response, "FlexOffers");
  if (common.kind !== "success") return common;
  const body = response.body;
  const excerpt = responseExcerpt(body, 300);
  if (/no click id found/i.test(body)) {
    return { kind: "permanent", reason: `FlexOffers did not recognise the click (refid) of this order: ${excerpt}` };
  }
  if (/advertiser/i.test(body) && /\b(error|invalid|unknown|not found)\b/i.test(body)) {
    return { kind: "credentials_rejected", reason: `FlexOffers does not accept this advertiser id: ${excerpt}` };
  }
  if (/object moved|\/errors?\/5\d\d|server error|<html/i.test(body)) {
    return { kind: "retry", reason: `FlexOffers answered ${response.status} with an error page instead of a result: ${excerpt}` };
  }
  if (/\b(error|invalid|fail(ed|ure)?|denied|not found)\b/i.test(body)) {
    return { kind: "permanent", reason: `FlexOffers answered ${response.status} but did not record the sale: ${excerpt}` };
  }
  return { kind: "success", ...(excerpt ? { note: excerpt } : {}) };
}
