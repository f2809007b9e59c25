/**
 * One line of text output, whatever the data in it holds. Names, labels, namespaces and file
 * paths come from manifests and clusters; the API server's validation is reported but such
 * objects still load, so a name may hold a line break (forging a second line: CI systems read
 * lines starting with `::` as commands), an ANSI escape or a bidi override (obeyed by the
 * terminal). Line breaks (also U+2028/U+2029), C0 and C1 controls and bidi controls become
 * `\uXXXX`; tabs are kept.
 */
export function oneLine(text: string): string {
  return text.replace(/[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Lines joined with `\n`, each escaped with {@link oneLine}: every element is exactly one output line. */
export function joinLines(lines: readonly string[]): string {
  return lines.map(oneLine).join('\n');
}
