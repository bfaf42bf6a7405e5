import { stringify } from 'csv-stringify/sync';
import PDFDocument from 'pdfkit';
import type { DataSubjectRecord } from '../../../platform/personal-data/data-subject';
import { ExportFormat } from '../entities/data-subject-request.entity';

/** Where a file's bytes go, in order (the export's chunks in the database). */
export interface ByteSink {
  write(bytes: Buffer): Promise<void>;
}

export interface ExportHeading {
  requestId: string;
  organizationId: string;
  userId: string;
  generatedAt: Date;
}

/**
 * Writes an export file a page of records at a time, whatever its format, so memory stays flat
 * however much the person has: `part` opens a subgraph's section, `records` adds a page, `end`
 * closes the file.
 */
export interface ExportFileWriter {
  part(subgraph: string): Promise<void>;
  records(subgraph: string, records: readonly DataSubjectRecord[]): Promise<void>;
  end(): Promise<void>;
}

export function exportFileWriter(format: ExportFormat, heading: ExportHeading, sink: ByteSink): ExportFileWriter {
  switch (format) {
    case ExportFormat.JSON:
      return jsonWriter(heading, sink);
    case ExportFormat.CSV:
      return csvWriter(sink);
    case ExportFormat.PDF:
      return pdfWriter(heading, sink);
  }
}

export const CONTENT_TYPES: Record<ExportFormat, string> = {
  [ExportFormat.JSON]: 'application/json; charset=utf-8',
  [ExportFormat.CSV]: 'text/csv; charset=utf-8',
  [ExportFormat.PDF]: 'application/pdf',
};

/** `{"request": {…}, "parts": {"identity": [records…], …}}`: a machine-readable format for portability (GDPR Art. 20(1)). */
function jsonWriter(heading: ExportHeading, sink: ByteSink): ExportFileWriter {
  let parts = 0;
  let inPart = 0;
  const write = (text: string) => sink.write(Buffer.from(text, 'utf8'));
  const opening = write(`{"request":${JSON.stringify({ ...heading, generatedAt: heading.generatedAt.toISOString() })},"parts":{`);
  return {
    part: async (subgraph) => {
      await opening;
      await write(`${parts > 0 ? ']' : ''}${parts > 0 ? ',' : ''}${JSON.stringify(subgraph)}:[`);
      parts += 1;
      inPart = 0;
    },
    records: async (_subgraph, records) => {
      if (records.length === 0) return;
      const text = records.map((record) => JSON.stringify({ kind: record.kind, id: record.id, ...record.data })).join(',');
      await write(`${inPart > 0 ? ',' : ''}${text}`);
      inPart += records.length;
    },
    end: async () => {
      await opening;
      await write(`${parts > 0 ? ']' : ''}}}`);
    },
  };
}

/** One row a record: `subgraph,kind,id,data` (its fields as JSON). */
function csvWriter(sink: ByteSink): ExportFileWriter {
  const header = sink.write(Buffer.from(stringify([['subgraph', 'kind', 'id', 'data']])));
  return {
    part: () => header,
    records: async (subgraph, records) => {
      await header;
      if (records.length === 0) return;
      await sink.write(Buffer.from(stringify(records.map((record) => [subgraph, record.kind, record.id, JSON.stringify(record.data)]))));
    },
    end: () => header,
  };
}

/** A readable copy (GDPR Art. 15(3)): a heading, then each subgraph's records with their fields, page after page. */
function pdfWriter(heading: ExportHeading, sink: ByteSink): ExportFileWriter {
  const document = new PDFDocument({ size: 'A4', margin: 40, info: { Title: `Personal data of ${heading.userId}` } });
  // pdfkit hands out its bytes as it lays pages out; they are written in order, and each page of records waits for them.
  let written: Promise<void> = Promise.resolve();
  document.on('data', (chunk: Buffer) => {
    written = written.then(() => sink.write(chunk));
  });
  const ended = new Promise<void>((resolve) => document.on('end', () => resolve()));
  const day = (date: Date) => date.toISOString().slice(0, 16).replace('T', ' ');

  document.font('Helvetica-Bold').fontSize(16).text('Your personal data');
  document.font('Helvetica').fontSize(9).fillColor('#444');
  document.text(`Person ${heading.userId} · organization ${heading.organizationId}`);
  document.text(`Request ${heading.requestId} · generated ${day(heading.generatedAt)} UTC`);
  document.fillColor('#000').moveDown(1);
  let empty = true;
  return {
    part: async (subgraph) => {
      if (!empty) document.moveDown(0.5);
      document.font('Helvetica-Bold').fontSize(12).text(`Held by ${subgraph}`);
      document.moveDown(0.3);
      await written;
    },
    records: async (_subgraph, records) => {
      for (const record of records) {
        empty = false;
        document.font('Helvetica-Bold').fontSize(9).text(`${record.kind} ${record.id}`);
        document.font('Helvetica').fontSize(8);
        for (const [name, value] of Object.entries(record.data)) {
          const text = value === null || value === undefined ? '–' : typeof value === 'string' ? value : JSON.stringify(value);
          document.text(`${name}: ${text.length > 2000 ? `${text.slice(0, 2000)}…` : text}`, { indent: 10 });
        }
        document.moveDown(0.3);
      }
      await written;
    },
    end: async () => {
      document.end();
      await ended;
      await written;
    },
  };
}
