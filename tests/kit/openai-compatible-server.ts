import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request the server took, as a test inspects it. */
export interface ProviderRequest {
  method: string;
  path: string;
  authorization: string | undefined;
  at: number;
  /** Multipart fields (the file as `{ filename, bytes }`) or the JSON body. */
  body: Record<string, unknown>;
}

/** What to answer instead of the API's normal answer, once: a status (with headers and body), a hang, or a dropped connection. */
export type ScriptedAnswer = { status: number; headers?: Record<string, string>; body?: unknown } | { hang: true } | { drop: true };

export interface OpenAiCompatibleServer {
  /** The base URL to configure (`AI_API_URL`), without `/v1`. */
  url: string;
  requests: ProviderRequest[];
  /** Answers the next requests to `path` (`/v1/audio/transcriptions`, `/v1/chat/completions`) as scripted, in order. */
  script(path: string, ...answers: ScriptedAnswer[]): void;
  /** Audio the server stores at `/audio/<name>` (for recordings' `storageUrl`); other names answer 404. */
  storeAudio(name: string, bytes: Uint8Array): string;
  close(): Promise<void>;
}

/**
 * A real HTTP server speaking the two endpoints of the OpenAI API the recording jobs use, as
 * OpenAI answers them (bodies and errors in its shape): `POST /v1/audio/transcriptions`
 * (multipart `file` and `model`; answers `{ text }`, the text naming the file and its size) and
 * `POST /v1/chat/completions` (answers a summary naming the last message's first words, with
 * `usage`). With `apiKey`, other bearer tokens get OpenAI's 401. Errors and rate limits are
 * scripted per path.
 */
export async function startOpenAiCompatibleServer(options: { apiKey?: string } = {}): Promise<OpenAiCompatibleServer> {
  const requests: ProviderRequest[] = [];
  const scripts = new Map<string, ScriptedAnswer[]>();
  const audio = new Map<string, Uint8Array>();
  const hanging = new Set<ServerResponse>();
  let base = '';

  const json = (response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    response.writeHead(status, { 'content-type': 'application/json', ...headers });
    response.end(JSON.stringify(body));
  };
  const openAiError = (message: string, type: string, code: string | null) => ({ error: { message, type, param: null, code } });

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    const raw = Buffer.concat(await readAll(request));
    if (request.method === 'GET' && path.startsWith('/audio/')) {
      const bytes = audio.get(decodeURIComponent(path.slice('/audio/'.length)));
      if (!bytes) return json(response, 404, { error: 'no such audio' });
      response.writeHead(200, { 'content-type': 'audio/wav', 'content-length': String(bytes.length) });
      response.end(Buffer.from(bytes));
      return;
    }
    const body = await parseBody(request, raw);
    requests.push({ method: request.method ?? '', path, authorization: request.headers.authorization, at: Date.now(), body });
    const scripted = scripts.get(path)?.shift();
    if (scripted) {
      if ('hang' in scripted) {
        hanging.add(response);
        return;
      }
      if ('drop' in scripted) {
        request.socket.destroy();
        return;
      }
      return json(response, scripted.status, scripted.body ?? openAiError('Scripted failure', 'server_error', null), scripted.headers);
    }
    if (options.apiKey && request.headers.authorization !== `Bearer ${options.apiKey}`) {
      return json(response, 401, openAiError('Incorrect API key provided: sk-***.', 'invalid_request_error', 'invalid_api_key'));
    }
    if (request.method === 'POST' && path === '/v1/audio/transcriptions') {
      const file = body.file as { filename: string; bytes: Uint8Array } | undefined;
      if (!file || typeof body.model !== 'string') {
        return json(response, 400, openAiError("'file' and 'model' are required", 'invalid_request_error', null));
      }
      return json(response, 200, { text: `Transcript of ${file.filename}, ${file.bytes.length} bytes. Hello, this is a test call.` });
    }
    if (request.method === 'POST' && path === '/v1/chat/completions') {
      const messages = body.messages as { role: string; content: string }[] | undefined;
      if (!Array.isArray(messages) || typeof body.model !== 'string') {
        return json(response, 400, openAiError("'messages' and 'model' are required", 'invalid_request_error', null));
      }
      const last = messages[messages.length - 1]?.content ?? '';
      const promptTokens = Math.ceil(messages.map((message) => message.content).join(' ').length / 4);
      return json(response, 200, {
        id: `chatcmpl-${requests.length}`,
        object: 'chat.completion',
        created: Math.floor(Date.now() / 1000),
        model: body.model,
        choices: [
          {
            index: 0,
            message: { role: 'assistant', content: `Summary: ${last.split(/\s+/).slice(0, 6).join(' ')}` },
            finish_reason: 'stop',
          },
        ],
        usage: { prompt_tokens: promptTokens, completion_tokens: 12, total_tokens: promptTokens + 12 },
      });
    }
    return json(response, 404, openAiError(`Unknown request URL: ${request.method} ${path}`, 'invalid_request_error', 'unknown_url'));
  }

  const server: Server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => json(response, 500, openAiError(String(error), 'server_error', null)));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: base,
    requests,
    script: (path, ...answers) => scripts.set(path, [...(scripts.get(path) ?? []), ...answers]),
    storeAudio: (name, bytes) => {
      audio.set(name, bytes);
      return `${base}/audio/${encodeURIComponent(name)}`;
    },
    close: async () => {
      for (const response of hanging) response.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

async function readAll(request: IncomingMessage): Promise<Buffer[]> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return chunks;
}

async function parseBody(request: IncomingMessage, raw: Buffer): Promise<Record<string, unknown>> {
  const type = request.headers['content-type'] ?? '';
  if (type.startsWith('multipart/form-data')) {
    // The platform's own multipart parser (undici's), as a server framework would use one.
    const form = await new Request('http://localhost/', { method: 'POST', headers: { 'content-type': type }, body: raw }).formData();
    const fields: Record<string, unknown> = {};
    for (const [name, value] of form.entries()) {
      fields[name] =
        typeof value === 'string' ? value : { filename: (value as File).name, bytes: new Uint8Array(await (value as File).arrayBuffer()) };
    }
    return fields;
  }
  if (type.startsWith('application/json')) return JSON.parse(raw.toString('utf8')) as Record<string, unknown>;
  return {};
}
