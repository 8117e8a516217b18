// Reading a JSON file named on the command line. A file that is not JSON is reported by where it breaks, never by
// what it says: settings files hold network secrets, and Node's own JSON error quotes the text around the fault.
import { readFile } from "node:fs/promises";
import { CliError } from "./command.ts";

const READ_ERRORS: Record<string, string> = { ENOENT: "no such file", EISDIR: "it is a directory", EACCES: "permission denied" };

/** Line and column (1-based) of a character offset. */
function lineAndColumn(text: string, offset: number): string {
  const before = text.slice(0, offset);
  const line = before.split("\n").length;
  return `line ${line}, column ${offset - before.lastIndexOf("\n")}`;
}

/** Where the JSON breaks, from the parser's message when it names a position; nothing of the text itself. */
function faultLocation(text: string, error: unknown): string {
  const position = /\bposition (\d+)/.exec(error instanceof Error ? error.message : "")?.[1];
  if (position !== undefined) return ` (at ${lineAndColumn(text, Number(position))})`;
  return text.trim() === "" ? " (the file is empty)" : "";
}

export async function readJsonFile(file: string, what: string, parse: (text: string) => unknown = JSON.parse): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? "";
    throw new CliError(`cannot read the ${what} ${file}: ${READ_ERRORS[code] ? `${READ_ERRORS[code]} (${code})` : code || "unreadable"}`);
  }
  try {
    return parse(text);
  } catch (error) {
    throw new CliError(`the ${what} ${file} is not valid JSON${faultLocation(text, error)}; its content is not shown, as it may hold secrets`);
  }
}
