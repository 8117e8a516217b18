import type { PricedOrder } from "../../orders/model.ts";
import { skip } from "../shared/skip.ts";
import type { Decision, MappingContext } from "../types.ts";
import { retrackClick } from "./attribution.ts";
import { retrackCreateUrl } from "./endpoints.ts";
import { retrackPost } from "./request.ts";
import type { RetrackSettings } from "./settings.ts";
import { retrackTransaction } from "./transaction.ts";

/** Only orders that came through a Retrack click are reported. */
export function mapRetrackConversion(order: PricedOrder, settings: RetrackSettings, _ctx: MappingContext): Decision {
  const click = retrackClick(order);
  if (!click.found) return skip(click.reason);
  return { action: "send", request: retrackPost(retrackCreateUrl(), settings, retrackTransaction(order, settings, click.value)) };
}
