// The settings page's data, shared by app/admin/shop-settings.server.ts and app/routes/app.settings.tsx.
export interface ShopOptions {
  currency: "shop" | "presentment";
  sendTestOrders: boolean;
  consentGating: boolean;
}

export interface ClickWindow {
  network: string;
  label: string;
  /** Fixed by the network, or the merchant's setting (edited on the network's card). */
  days: number;
  fixed: boolean;
}

export interface DataRequestView {
  id: string;
  receivedAt: string;
  /** The customer as Shopify named them: their id only; an email is never shown. */
  customer: string;
  ordersRequested: number;
  /** What was reported: per order, the kinds of customer data held and the networks it was sent to. */
  orders: Array<{ name: string; customerFieldsHeld: string[]; sentTo: string[] }>;
}

export interface SettingsPage {
  options: ShopOptions;
  saved: boolean;
  clickWindows: ClickWindow[];
  /** The settings file (the `settings import` schema) with every secret blank; null before anything is saved. */
  exportFile: string | null;
  dataRequests: DataRequestView[];
}

export type SettingsActionResult =
  | { intent: "options" | "import"; ok: true; storefront: { ok: boolean; synced: boolean; message: string } }
  | { intent: "options" | "import"; ok: false; error: string };
