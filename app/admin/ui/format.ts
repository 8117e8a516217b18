// Dates as UTC text made on the server's terms, so the server and the browser render the same thing (no
// hydration mismatch from the browser's time zone).
export const when = (iso: string) => `${iso.slice(0, 16).replace("T", " ")} UTC`;

export const percent = (ratio: number) => `${(Math.floor(ratio * 1000) / 10).toFixed(1)}%`;

/** A reason as a sentence of its own, ending in a full stop. */
export const sentence = (text: string) => (/[.!?]$/.test(text.trim()) ? text.trim() : `${text.trim()}.`);
