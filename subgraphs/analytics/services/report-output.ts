import { stringify } from 'csv-stringify/sync';
import PDFDocument from 'pdfkit';
import type { ReportTable } from './report-catalogue';

export enum ReportFormat {
  CSV = 'csv',
  JSON = 'json',
  PDF = 'pdf',
}

export const CONTENT_TYPES: Record<ReportFormat, string> = {
  [ReportFormat.CSV]: 'text/csv; charset=utf-8',
  [ReportFormat.JSON]: 'application/json; charset=utf-8',
  [ReportFormat.PDF]: 'application/pdf',
};

/** What a rendered report says about itself, beside its figures. */
export interface ReportHeading {
  reportId: string;
  runId: string;
  name: string;
  organizationId: string;
  periodStart: Date;
  periodEnd: Date;
  generatedAt: Date;
}

/** The report's figures as a file of its format: CSV with a header row, JSON with its heading, or a paginated PDF table. */
export async function renderReport(format: ReportFormat, heading: ReportHeading, table: ReportTable): Promise<Buffer> {
  switch (format) {
    case ReportFormat.CSV:
      return Buffer.from(stringify([table.columns, ...table.rows]));
    case ReportFormat.JSON:
      return Buffer.from(
        JSON.stringify({
          report: { id: heading.reportId, name: heading.name, runId: heading.runId },
          organizationId: heading.organizationId,
          period: { start: heading.periodStart.toISOString(), end: heading.periodEnd.toISOString() },
          generatedAt: heading.generatedAt.toISOString(),
          truncated: table.truncated,
          columns: table.columns,
          rows: table.rows.map((row) => Object.fromEntries(table.columns.map((column, i) => [column, row[i]]))),
        }),
      );
    case ReportFormat.PDF:
      return pdf(heading, table);
  }
}

/** Wide reports (more than six columns) turn the page to landscape; rows continue on new pages with the header repeated. */
async function pdf(heading: ReportHeading, table: ReportTable): Promise<Buffer> {
  const landscape = table.columns.length > 6;
  const document = new PDFDocument({
    size: 'A4',
    layout: landscape ? 'landscape' : 'portrait',
    margin: 40,
    info: { Title: heading.name },
  });
  const chunks: Buffer[] = [];
  document.on('data', (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise<Buffer>((resolve) => document.on('end', () => resolve(Buffer.concat(chunks))));
  const day = (date: Date) => date.toISOString().slice(0, 16).replace('T', ' ');

  document.font('Helvetica-Bold').fontSize(16).text(heading.name);
  document.font('Helvetica').fontSize(9).fillColor('#444');
  document.text(`Organization ${heading.organizationId} · ${day(heading.periodStart)} to ${day(heading.periodEnd)} UTC`);
  document.text(`Generated ${day(heading.generatedAt)} UTC · run ${heading.runId}`);
  if (table.truncated) document.text(`Only the first ${table.rows.length} rows are shown.`);
  document.moveDown(1).fillColor('#000');

  const left = document.page.margins.left;
  const width = document.page.width - left - document.page.margins.right;
  const columnWidth = width / table.columns.length;
  const bottom = document.page.height - document.page.margins.bottom;
  const line = (y: number, cells: (string | number | null)[], bold: boolean) => {
    document.font(bold ? 'Helvetica-Bold' : 'Helvetica').fontSize(8);
    cells.forEach((cell, i) =>
      document.text(cell === null ? '–' : String(cell), left + i * columnWidth, y, {
        width: columnWidth - 4,
        align: i === 0 && typeof cell === 'string' ? 'left' : 'right',
        lineBreak: false,
        ellipsis: true,
      }),
    );
  };
  const header = (y: number) => {
    line(y, table.columns, true);
    document
      .moveTo(left, y + 12)
      .lineTo(left + width, y + 12)
      .strokeColor('#999')
      .stroke();
    return y + 16;
  };
  let y = header(document.y);
  if (table.rows.length === 0) document.font('Helvetica').fontSize(9).text('No data in this period.', left, y);
  for (const row of table.rows) {
    if (y + 12 > bottom) {
      document.addPage();
      y = header(document.page.margins.top);
    }
    line(y, row, false);
    y += 12;
  }
  document.end();
  return done;
}
