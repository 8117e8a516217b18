import { LoginErrorType, type LoginError } from "@shopify/shopify-app-remix/server";

export interface LoginErrorMessage {
  shop?: string;
}

/** shopify.login()'s error codes, as sentences for the form. */
export function loginErrorMessage(errors: LoginError | undefined): LoginErrorMessage {
  if (errors?.shop === LoginErrorType.MissingShop) return { shop: "Enter your shop domain to log in" };
  if (errors?.shop === LoginErrorType.InvalidShop) return { shop: "Enter a valid shop domain, like my-shop.myshopify.com" };
  return {};
}
