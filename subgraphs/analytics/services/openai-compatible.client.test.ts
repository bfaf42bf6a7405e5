import { startOpenAiCompatibleServer } from '../../../tests/kit/openai-compatible-server';
import type { OpenAiCompatibleServer } from '../../../tests/kit/openai-compatible-server';
import { AiProviderError, OpenAiCompatibleClient, aiProviderOf, retryAfterSeconds } from './openai-compatible.client';
import type { OpenAiCompatibleSettings } from './openai-compatible.client';

const KEY = 'sk-test-0123456789';
let server: OpenAiCompatibleServer;

beforeAll(async () => {
  server = await startOpenAiCompatibleServer({ apiKey: KEY });
});
afterAll(async () => {
  await server?.close();
});
beforeEach(() => {
  server.requests.length = 0;
});

function client(settings: Partial<OpenAiCompatibleSettings> = {}) {
  return new OpenAiCompatibleClient({
    apiUrl: server.url,
    apiKey: KEY,
    transcriptionModel: 'whisper-1',
    summaryModel: 'gpt-4o-mini',
    timeoutMs: 5_000,
    maxRetries: 2,
    retryBaseDelayMs: 10,
    ...settings,
  });
}

const audio = { bytes: new Uint8Array([82, 73, 70, 70, 1, 2, 3, 4]), filename: 'call.wav', contentType: 'audio/wav' };

async function failure(promise: Promise<unknown>): Promise<AiProviderError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof AiProviderError) return error;
    throw error;
  }
  throw new Error('expected the call to fail');
}

describe('the OpenAI-compatible client', () => {
  it('transcribes audio (multipart file and model, with the key) and completes a chat, with its token counts', async () => {
    const transcription = await client().transcribe(audio);
    expect(transcription).toEqual({ text: 'Transcript of call.wav, 8 bytes. Hello, this is a test call.', model: 'whisper-1' });
    const [sent] = server.requests;
    expect(sent).toMatchObject({ method: 'POST', path: '/v1/audio/transcriptions', authorization: `Bearer ${KEY}` });
    expect(sent.body).toMatchObject({ model: 'whisper-1', file: { filename: 'call.wav', bytes: audio.bytes } });

    // A base URL ending in /v1, as OpenAI's SDKs write it, reaches the same endpoints.
    const completion = await client({ apiUrl: `${server.url}/v1/` }).complete([
      { role: 'system', content: 'Summarise.' },
      { role: 'user', content: 'We agreed to ship on Friday and review on Monday.' },
    ]);
    expect(completion.content).toBe('Summary: We agreed to ship on Friday');
    expect(completion.model).toBe('gpt-4o-mini');
    expect(completion.totalTokens).toBe(completion.promptTokens + 12);
    expect(server.requests[1]).toMatchObject({ path: '/v1/chat/completions', body: { model: 'gpt-4o-mini' } });
  });

  it('refuses with a clear error on a wrong key, without trying again and without showing the key', async () => {
    const error = await failure(client({ apiKey: 'sk-wrong-key' }).transcribe(audio));
    expect(error.kind).toBe('unauthorized');
    expect(error.retryable).toBe(false);
    expect(error.message).toBe('AI provider: POST /v1/audio/transcriptions answered 401 Unauthorized: Incorrect API key provided: sk-***.');
    expect(error.message).not.toContain('sk-wrong-key');
    expect(server.requests).toHaveLength(1);
  });

  it('waits as a 429 Retry-After says, then succeeds', async () => {
    server.script('/v1/chat/completions', {
      status: 429,
      headers: { 'retry-after': '1' },
      body: { error: { message: 'Rate limit reached for gpt-4o-mini', type: 'requests', code: 'rate_limit_exceeded' } },
    });
    const completion = await client().complete([{ role: 'user', content: 'Short call about invoices.' }]);
    expect(completion.content).toBe('Summary: Short call about invoices.');
    expect(server.requests).toHaveLength(2);
    expect(server.requests[1].at - server.requests[0].at).toBeGreaterThanOrEqual(1_000);
  });

  it('gives up at once on a Retry-After longer than it waits, saying when to retry', async () => {
    server.script('/v1/audio/transcriptions', {
      status: 429,
      headers: { 'retry-after': '120' },
      body: { error: { message: 'You exceeded your current quota', type: 'insufficient_quota', code: 'insufficient_quota' } },
    });
    const error = await failure(client().transcribe(audio));
    expect(error).toMatchObject({ kind: 'rate_limited', details: { status: 429, retryAfterSeconds: 120, attempts: 1 } });
    expect(error.retryable).toBe(true);
    expect(error.message).toBe(
      'AI provider: POST /v1/audio/transcriptions answered 429 Too Many Requests: You exceeded your current quota (retry after 120 s)',
    );
    expect(server.requests).toHaveLength(1);
  });

  it('tries 5xx answers and lost connections again, then reports the last failure', async () => {
    server.script('/v1/audio/transcriptions', { drop: true }, { status: 502, body: 'Bad Gateway' });
    expect((await client().transcribe(audio)).text).toContain('call.wav');
    expect(server.requests).toHaveLength(3);

    server.requests.length = 0;
    server.script('/v1/chat/completions', { status: 503 }, { status: 503 }, { status: 503 });
    const error = await failure(client({ maxRetries: 2 }).complete([{ role: 'user', content: 'x' }]));
    expect(error).toMatchObject({ kind: 'unavailable', details: { status: 503, attempts: 3 } });
    expect(error.message).toBe('AI provider: POST /v1/chat/completions answered 503 Service Unavailable: Scripted failure (after 3 tries)');
    expect(server.requests).toHaveLength(3);
  });

  it('does not retry a request the provider rejects', async () => {
    server.script('/v1/audio/transcriptions', {
      status: 400,
      body: { error: { message: 'Invalid file format. Supported formats: flac, mp3, wav', type: 'invalid_request_error', code: null } },
    });
    const error = await failure(client().transcribe(audio));
    expect(error).toMatchObject({ kind: 'rejected', details: { status: 400 } });
    expect(error.message).toContain('Invalid file format');
    expect(server.requests).toHaveLength(1);
  });

  it('times out a request that gets no answer', async () => {
    server.script('/v1/chat/completions', { hang: true });
    const error = await failure(client({ timeoutMs: 300, maxRetries: 0 }).complete([{ role: 'user', content: 'x' }]));
    expect(error).toMatchObject({ kind: 'timeout' });
    expect(error.message).toBe('AI provider: POST /v1/chat/completions did not answer within 0.3 s');
  });

  it('says so when a 2xx answer is not the API’s shape', async () => {
    server.script('/v1/chat/completions', { status: 200, body: { choices: [] } });
    const error = await failure(client().complete([{ role: 'user', content: 'x' }]));
    expect(error.kind).toBe('invalid_response');
    expect(error.message).toContain('no choices[0].message.content');
  });

  it('stops when its caller aborts, without trying again', async () => {
    server.script('/v1/audio/transcriptions', { hang: true });
    const stop = new AbortController();
    const pending = client().transcribe(audio, stop.signal);
    setTimeout(() => stop.abort(new Error('worker stopping')), 100);
    await expect(pending).rejects.toThrow('worker stopping');
    expect(server.requests).toHaveLength(1);
  });

  it('reads Retry-After as seconds or an HTTP date', () => {
    const now = Date.parse('2026-12-03T10:00:00Z');
    expect(retryAfterSeconds('30', now)).toBe(30);
    expect(retryAfterSeconds('Thu, 03 Dec 2026 10:01:30 GMT', now)).toBe(90);
    expect(retryAfterSeconds('Thu, 03 Dec 2026 09:00:00 GMT', now)).toBe(0);
    expect(retryAfterSeconds('soon', now)).toBeUndefined();
    expect(retryAfterSeconds(null, now)).toBeUndefined();
  });

  it('is configured by AI_API_URL, or absent without it', () => {
    const ai = { apiKey: undefined, transcriptionModel: 'whisper-1', summaryModel: 'llama3.2', timeoutSeconds: 5, maxRetries: 1 };
    expect(aiProviderOf({ ai: { ...ai, apiUrl: undefined } })).toBeUndefined();
    expect(aiProviderOf({ ai: { ...ai, apiUrl: 'http://127.0.0.1:11434' } })?.summaryModel).toBe('llama3.2');
  });
});
