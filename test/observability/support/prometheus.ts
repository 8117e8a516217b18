// Reads Prometheus' text exposition format back into samples, for comparing /metrics with the database.
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export function parsePrometheus(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split("\n")) {
    if (!line || line.startsWith("#")) continue;
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match) throw new Error(`not a Prometheus sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const label of (match[2] ?? "").matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[label[1]!] = label[2]!.replace(/\\(.)/g, (_, c: string) => (c === "n" ? "\n" : c));
    samples.push({ name: match[1]!, labels, value: Number(match[3]) });
  }
  return samples;
}

/** The samples of one metric as "label=value,label=value" -> value (labels in name order), e.g. for toEqual. */
export function series(samples: Sample[], name: string, keep: (labels: Record<string, string>) => boolean = () => true): Record<string, number> {
  const out: Record<string, number> = {};
  for (const sample of samples) {
    if (sample.name !== name || !keep(sample.labels)) continue;
    const key = Object.keys(sample.labels)
      .sort()
      .map((label) => `${label}=${sample.labels[label]}`)
      .join(",");
    out[key] = sample.value;
  }
  return out;
}
