import { cpus, totalmem } from 'node:os';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export type Cell = string | number | null;

export interface Table {
  columns: string[];
  rows: Cell[][];
}

export interface ScenarioReport {
  scenario: string;
  /** What is compared with what, in a sentence. */
  comparison: string;
  tables: { title: string; table: Table }[];
  /** The raw figures behind the tables. */
  raw: unknown;
  notes: string[];
}

export function machine() {
  return {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    memoryGb: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
  };
}

function formatCell(cell: Cell): string {
  if (cell === null) return '–';
  if (typeof cell === 'string') return cell;
  if (Number.isInteger(cell)) return String(cell);
  const digits = Math.abs(cell) >= 100 ? 0 : Math.abs(cell) >= 10 ? 1 : 2;
  return cell.toFixed(digits);
}

/** A Markdown table with padded columns: readable in a terminal, pasted as is into BENCHMARKS.md. */
export function renderTable({ columns, rows }: Table): string {
  const text = rows.map((row) => row.map(formatCell));
  const widths = columns.map((column, i) => Math.max(column.length, ...text.map((row) => row[i]!.length)));
  const numeric = columns.map((_, i) => rows.every((row) => row[i] === null || typeof row[i] === 'number'));
  const line = (cells: string[]) =>
    `| ${cells.map((cell, i) => (numeric[i] ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!))).join(' | ')} |`;
  const rule = `| ${widths.map((width, i) => (numeric[i] ? `${'-'.repeat(width - 1)}:` : '-'.repeat(width))).join(' | ')} |`;
  return [line(columns), rule, ...text.map(line)].join('\n');
}

export function renderReport(report: ScenarioReport, command: string): string {
  const parts = [`## ${report.scenario}`, '', `\`${command}\``, '', report.comparison, ''];
  for (const { title, table } of report.tables) parts.push(`### ${title}`, '', renderTable(table), '');
  if (report.notes.length > 0) parts.push(...report.notes.map((note) => `- ${note}`), '');
  return parts.join('\n');
}

/** Writes the report as JSON under bench/results/ and answers the file's path. */
export function writeResults(report: ScenarioReport, command: string, options: unknown): string {
  const directory = path.resolve(__dirname, 'results');
  mkdirSync(directory, { recursive: true });
  const date = new Date();
  const file = path.join(directory, `${report.scenario}-${date.toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, `${JSON.stringify({ date: date.toISOString(), machine: machine(), command, options, ...report }, null, 2)}\n`);
  return file;
}
