// Charts by day with Shopify's own @shopify/polaris-viz. Charts measure their container in the browser, so they
// render there only: the server (and the first browser render) show a placeholder of the same height, which
// keeps hydration exact and the layout from shifting. The numbers are always also given as text beside a chart.
import { BarChart, LineChart, PolarisVizProvider } from "@shopify/polaris-viz";
import { useEffect, useState } from "react";

export interface DailySeries {
  name: string;
  /** One value per day. */
  values: number[];
}

const HEIGHT = 260;

function useMounted() {
  const [mounted, setMounted] = useState(false);
  useEffect(() => setMounted(true), []);
  return mounted;
}

export function DailyChart({
  days,
  series,
  kind,
  label,
  formatValue,
}: {
  days: string[];
  series: DailySeries[];
  kind: "stacked-bars" | "line";
  /** What the chart shows, for screen readers. */
  label: string;
  formatValue?: (value: number) => string;
}) {
  const mounted = useMounted();
  const data = series.map((entry) => ({ name: entry.name, data: days.map((day, i) => ({ key: day.slice(5), value: entry.values[i] ?? 0 })) }));
  return (
    <div role="img" aria-label={label} style={{ height: HEIGHT }} data-chart={mounted ? "ready" : "pending"}>
      {mounted && (
        <PolarisVizProvider defaultTheme="Light">
          {kind === "line" ? (
            <LineChart data={data} yAxisOptions={formatValue ? { labelFormatter: (value) => formatValue(Number(value)) } : undefined} />
          ) : (
            <BarChart data={data} type="stacked" yAxisOptions={{ integersOnly: true }} />
          )}
        </PolarisVizProvider>
      )}
    </div>
  );
}

/** One bar per category (a network), stacked by series (outcomes). */
export function StackedBars({ categories, series, label }: { categories: string[]; series: DailySeries[]; label: string }) {
  const mounted = useMounted();
  const data = series.map((entry) => ({ name: entry.name, data: categories.map((category, i) => ({ key: category, value: entry.values[i] ?? 0 })) }));
  return (
    <div role="img" aria-label={label} style={{ height: HEIGHT }} data-chart={mounted ? "ready" : "pending"}>
      {mounted && (
        <PolarisVizProvider defaultTheme="Light">
          <BarChart data={data} type="stacked" yAxisOptions={{ integersOnly: true }} />
        </PolarisVizProvider>
      )}
    </div>
  );
}
