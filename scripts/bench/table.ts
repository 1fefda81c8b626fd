/**
 * The bench's output: plain lines on stdout, and Markdown tables ready to
 * paste into docs/performance.md.
 */

/** One line of the bench's own output (the functions' console logs are muted). */
export const print = (line: string) => process.stdout.write(`${line}\n`);

/**
 * Prints a table's title between blank lines, then its head: the text columns
 * first, then the figures, aligned right. Returns a function that prints one
 * row, so each row appears as soon as it is measured; an empty cell prints as
 * `| |`.
 */
export function table(
  title: string,
  text: readonly string[],
  figures: readonly string[],
): (...cells: string[]) => void {
  const line = (cells: readonly string[]) =>
    `|${cells.map((cell) => (cell ? ` ${cell} ` : ' ')).join('|')}|`;
  print(`\n${title}\n`);
  print(line([...text, ...figures]));
  print(line([...text.map(() => '---'), ...figures.map(() => '---:')]));
  return (...cells) => print(line(cells));
}
