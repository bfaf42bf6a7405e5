import type { Config } from '../../../platform/config';

/**
 * Why a call to the provider failed, which decides what the recording jobs do next:
 * `unauthorized` (401/403: the key is wrong, no recording is to blame; the run stops),
 * `rate_limited` (429 still after the retries, or asked to wait longer than we wait),
 * `unavailable` (5xx, 408, no connection: tried again later), `timeout`, `rejected` (another
 * 4xx: this input will not succeed), `invalid_response` (2xx but not the API's shape).
 */
export type AiProviderErrorKind = 'unauthorized' | 'rate_limited' | 'unavailable' | 'timeout' | 'rejected' | 'invalid_response';

export class AiProviderError extends Error {
  constructor(
    message: string,
    readonly kind: AiProviderErrorKind,
    readonly details: { status?: number; retryAfterSeconds?: number; attempts: number },
  ) {
    super(message);
    this.name = 'AiProviderError';
  }

  /** Whether the same request may succeed later. */
  get retryable(): boolean {
    return this.kind === 'rate_limited' || this.kind === 'unavailable' || this.kind === 'timeout';
  }
}

export interface OpenAiCompatibleSettings {
  /** The provider's base URL, with or without `/v1` (`https://api.openai.com`, `http://127.0.0.1:11434`). */
  apiUrl: string;
  /** Sent as `Authorization: Bearer …`; none for a local server that wants none. */
  apiKey?: string;
  transcriptionModel: string;
  summaryModel: string;
  /** How long one request may take, answer included. */
  timeoutMs: number;
  /** How often a failed request is tried again (429, 5xx, 408, timeouts, lost connections). */
  maxRetries: number;
  /** The longest `Retry-After` we wait for within one call; longer is a `rate_limited` error naming it (60 s). */
  maxRetryAfterSeconds?: number;
  /** The first backoff without a `Retry-After`; each later one doubles (500 ms). */
  retryBaseDelayMs?: number;
}

export interface Transcription {
  text: string;
  model: string;
}

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export interface ChatCompletion {
  content: string;
  model: string;
  promptTokens: number;
  completionTokens: number;
  /** As the provider counted them; estimated (4 characters a token) when it does not say. */
  totalTokens: number;
}

const ERROR_TEXT_LIMIT = 300;

/**
 * A client of the OpenAI HTTP API's two endpoints the recordings need, as OpenAI, whisper.cpp's
 * server (`--inference-path /v1/audio/transcriptions`) and Ollama speak them:
 * `POST /v1/audio/transcriptions` (multipart: file, model) and `POST /v1/chat/completions`.
 * Every request has a timeout; 429 is retried after its `Retry-After` (seconds or an HTTP date),
 * 5xx, 408 and lost connections with exponential backoff; errors name the endpoint, the status
 * and the provider's own message, never the key.
 */
export class OpenAiCompatibleClient {
  private readonly baseUrl: string;

  constructor(readonly settings: OpenAiCompatibleSettings) {
    this.baseUrl = settings.apiUrl.replace(/\/+$/, '').replace(/\/v1$/, '');
  }

  get transcriptionModel(): string {
    return this.settings.transcriptionModel;
  }

  get summaryModel(): string {
    return this.settings.summaryModel;
  }

  async transcribe(audio: { bytes: Uint8Array; filename: string; contentType?: string }, signal?: AbortSignal): Promise<Transcription> {
    const model = this.settings.transcriptionModel;
    const body = await this.request(
      '/v1/audio/transcriptions',
      () => {
        const form = new FormData();
        form.append('file', new Blob([audio.bytes], { type: audio.contentType ?? 'application/octet-stream' }), audio.filename);
        form.append('model', model);
        form.append('response_format', 'json');
        return form;
      },
      signal,
    );
    const text = (body as { text?: unknown }).text;
    if (typeof text !== 'string') throw this.invalid('/v1/audio/transcriptions', 'no "text" in the answer');
    return { text: text.trim(), model };
  }

  async complete(messages: ChatMessage[], options: { maxTokens?: number; signal?: AbortSignal } = {}): Promise<ChatCompletion> {
    const model = this.settings.summaryModel;
    const path = '/v1/chat/completions';
    const body = (await this.request(
      path,
      () => JSON.stringify({ model, messages, temperature: 0.2, ...(options.maxTokens ? { max_tokens: options.maxTokens } : {}) }),
      options.signal,
    )) as {
      model?: unknown;
      choices?: { message?: { content?: unknown } }[];
      usage?: { prompt_tokens?: unknown; completion_tokens?: unknown; total_tokens?: unknown };
    };
    const content = body.choices?.[0]?.message?.content;
    if (typeof content !== 'string') throw this.invalid(path, 'no choices[0].message.content in the answer');
    const count = (value: unknown) => (typeof value === 'number' && Number.isInteger(value) && value >= 0 ? value : undefined);
    const estimate = (text: string) => Math.ceil(text.length / 4);
    const promptTokens = count(body.usage?.prompt_tokens) ?? estimate(messages.map((message) => message.content).join('\n'));
    const completionTokens = count(body.usage?.completion_tokens) ?? estimate(content);
    return {
      content: content.trim(),
      model: typeof body.model === 'string' && body.model ? body.model : model,
      promptTokens,
      completionTokens,
      totalTokens: count(body.usage?.total_tokens) ?? promptTokens + completionTokens,
    };
  }

  private async request(path: string, makeBody: () => FormData | string, signal?: AbortSignal): Promise<unknown> {
    const attempts = 1 + this.settings.maxRetries;
    const maxRetryAfter = this.settings.maxRetryAfterSeconds ?? 60;
    let last: AiProviderError | undefined;
    for (let attempt = 1; attempt <= attempts; attempt += 1) {
      signal?.throwIfAborted();
      const body = makeBody();
      const timeout = AbortSignal.timeout(this.settings.timeoutMs);
      const headers: Record<string, string> = { accept: 'application/json' };
      if (typeof body === 'string') headers['content-type'] = 'application/json';
      if (this.settings.apiKey) headers.authorization = `Bearer ${this.settings.apiKey}`;
      let response: Response;
      let text: string;
      try {
        response = await fetch(`${this.baseUrl}${path}`, {
          method: 'POST',
          headers,
          body,
          signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
        });
        text = await response.text();
      } catch (error) {
        if (signal?.aborted) throw signal.reason;
        last = timeout.aborted
          ? new AiProviderError(`AI provider: POST ${path} did not answer within ${this.settings.timeoutMs / 1000} s`, 'timeout', {
              attempts: attempt,
            })
          : new AiProviderError(`AI provider: POST ${path} failed: ${causeOf(error)}`, 'unavailable', { attempts: attempt });
        if (attempt < attempts) await sleep(this.backoffMs(attempt), signal);
        continue;
      }
      if (response.ok) {
        try {
          return JSON.parse(text) as unknown;
        } catch {
          throw this.invalid(path, 'the answer is not JSON');
        }
      }
      const retryAfter = retryAfterSeconds(response.headers.get('retry-after'));
      const status = response.status;
      const what = `AI provider: POST ${path} answered ${status}${response.statusText ? ` ${response.statusText}` : ''}: ${providerMessage(text)}`;
      if (status === 401 || status === 403) throw new AiProviderError(what, 'unauthorized', { status, attempts: attempt });
      const retryable = status === 429 || status === 408 || status >= 500;
      if (!retryable) throw new AiProviderError(what, 'rejected', { status, attempts: attempt });
      const kind: AiProviderErrorKind = status === 429 ? 'rate_limited' : 'unavailable';
      if (retryAfter !== undefined && retryAfter > maxRetryAfter) {
        throw new AiProviderError(`${what} (retry after ${retryAfter} s)`, kind, {
          status,
          retryAfterSeconds: retryAfter,
          attempts: attempt,
        });
      }
      last = new AiProviderError(`${what}${attempt > 1 ? ` (after ${attempt} tries)` : ''}`, kind, {
        status,
        retryAfterSeconds: retryAfter,
        attempts: attempt,
      });
      if (attempt < attempts) await sleep(retryAfter !== undefined ? retryAfter * 1000 : this.backoffMs(attempt), signal);
    }
    throw last!;
  }

  private backoffMs(attempt: number): number {
    const base = this.settings.retryBaseDelayMs ?? 500;
    return base * 2 ** (attempt - 1);
  }

  private invalid(path: string, problem: string): AiProviderError {
    return new AiProviderError(`AI provider: POST ${path} answered in a shape this client does not know: ${problem}`, 'invalid_response', {
      attempts: 1,
    });
  }
}

/** The provider of the configuration, or none when `AI_API_URL` is unset. */
export function aiProviderOf(config: Pick<Config, 'ai'> | undefined): OpenAiCompatibleClient | undefined {
  if (!config?.ai.apiUrl) return undefined;
  return new OpenAiCompatibleClient({
    apiUrl: config.ai.apiUrl,
    apiKey: config.ai.apiKey,
    transcriptionModel: config.ai.transcriptionModel,
    summaryModel: config.ai.summaryModel,
    timeoutMs: config.ai.timeoutSeconds * 1000,
    maxRetries: config.ai.maxRetries,
  });
}

/** `Retry-After` is seconds or an HTTP date (RFC 9110 §10.2.3); undefined when absent or unreadable. */
export function retryAfterSeconds(value: string | null, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text);
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, Math.ceil((at - now) / 1000));
}

/** The provider's own words: OpenAI's `{"error": {"message"}}`, Ollama's `{"error": "…"}`, or the text. */
function providerMessage(text: string): string {
  let message = text;
  try {
    const body = JSON.parse(text) as { error?: unknown; message?: unknown };
    if (typeof body.error === 'string') message = body.error;
    else if (body.error && typeof (body.error as { message?: unknown }).message === 'string')
      message = (body.error as { message: string }).message;
    else if (typeof body.message === 'string') message = body.message;
  } catch {
    // not JSON: the text as it came
  }
  message = message.replace(/\s+/g, ' ').trim() || '(no message)';
  return message.length > ERROR_TEXT_LIMIT ? `${message.slice(0, ERROR_TEXT_LIMIT)}…` : message;
}

function causeOf(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error));
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason as Error);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason as Error);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
