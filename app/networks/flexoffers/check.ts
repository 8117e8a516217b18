// "Test connection" for FlexOffers: its postback carries no credential, only the advertiser id in the query, and
// FlexOffers offers advertisers no other call (its API is for publishers). So there is nothing to ask without
// reporting a sale, and this sends nothing. The advertiser id is tested by the first attributed order: FlexOffers
// then answers whether it knows it, and a rejection shows on the network's page.
import { blankFieldsCheck } from "../shared/credentials-check.ts";
import type { CredentialsCheck } from "../types.ts";
import type { FlexoffersSettings } from "./settings.ts";

export async function checkFlexoffersCredentials(settings: FlexoffersSettings): Promise<CredentialsCheck> {
  const blank = blankFieldsCheck("FlexOffers", settings.advertiserId ? [] : ["advertiser id"]);
  if (blank) return blank;
  return {
    outcome: "unverified",
    message:
      "FlexOffers has no way to check an advertiser id without reporting a sale, so nothing was sent. The first order with a FlexOffers " +
      "click tests it: if FlexOffers does not know the id, its deliveries fail and say so here.",
  };
}
