// The public landing page: what the app does, and a shop-domain form for merchants who open the app URL
// directly. Opened from Shopify admin (with ?shop=), it goes straight into the embedded app.
import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { Form, useLoaderData } from "@remix-run/react";
import { networks } from "../../networks/registry.ts";
import { login } from "../../shopify.server.ts";
import styles from "./styles.module.css";

export const meta: MetaFunction = () => [
  { title: "Affiliate Relay" },
  { name: "description", content: "Reports your Shopify orders to your affiliate networks, server to server." },
];

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const url = new URL(request.url);
  if (url.searchParams.get("shop")) throw redirect(`/app?${url.searchParams.toString()}`);
  return { showForm: Boolean(login), networkNames: inWords(networks.map((network) => network.label)) };
};

/** "A, B and C". */
function inWords(names: string[]): string {
  return names.length <= 1 ? names.join("") : `${names.slice(0, -1).join(", ")} and ${names.at(-1)}`;
}

export default function Landing() {
  const { showForm, networkNames } = useLoaderData<typeof loader>();
  return (
    <main className={styles.page}>
      <div className={styles.content}>
        <h1 className={styles.heading}>Affiliate Relay</h1>
        <p className={styles.tagline}>
          Every paid order reaches your affiliate networks server to server, so that no sale goes uncredited when a
          browser blocks a tracking pixel.
        </p>
        {showForm && (
          <Form className={styles.form} method="post" action="/auth/login">
            <label className={styles.label}>
              <span>Shop domain</span>
              <input className={styles.input} type="text" name="shop" placeholder="my-shop.myshopify.com" />
            </label>
            <button className={styles.button} type="submit">
              Log in
            </button>
          </Form>
        )}
        <ul className={styles.features}>
          <li>
            <strong>{networkNames}</strong>: switch on the networks you work with and paste their
            keys.
          </li>
          <li>
            <strong>Nothing lost, nothing doubled</strong>: each order is delivered once, retried when a network is
            down, and reversed when it is cancelled or refunded.
          </li>
          <li>
            <strong>Consent respected</strong>: no tracking where your store&apos;s privacy settings say no.
          </li>
        </ul>
      </div>
    </main>
  );
}
