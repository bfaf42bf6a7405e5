/** OpenAI's limit for one file to `/v1/audio/transcriptions`; a larger recording fails with a clear error. */
export const MAX_AUDIO_BYTES = 25 * 1024 * 1024;

/** A recording's audio could not be fetched; `retryable` when a later try may succeed (5xx, 408, 429, timeouts, lost connections). */
export class RecordingAudioError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
    this.name = 'RecordingAudioError';
  }
}

export interface RecordingAudio {
  bytes: Uint8Array;
  filename: string;
  contentType: string | undefined;
}

/**
 * Downloads a recording's audio from its storage URL, within `timeoutMs` and `maxBytes`.
 * Redirects are not followed, so a storage URL cannot lead elsewhere than the origins allowed.
 */
export async function downloadAudio(
  storageUrl: string,
  options: { timeoutMs: number; maxBytes?: number; signal?: AbortSignal },
): Promise<RecordingAudio> {
  const maxBytes = options.maxBytes ?? MAX_AUDIO_BYTES;
  const timeout = AbortSignal.timeout(options.timeoutMs);
  const where = new URL(storageUrl);
  const shown = `${where.origin}${where.pathname}`;
  let response: Response;
  try {
    response = await fetch(storageUrl, {
      redirect: 'manual',
      signal: options.signal ? AbortSignal.any([options.signal, timeout]) : timeout,
    });
  } catch (error) {
    if (options.signal?.aborted) throw options.signal.reason;
    if (timeout.aborted) throw new RecordingAudioError(`audio at ${shown} did not arrive within ${options.timeoutMs / 1000} s`, true);
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    throw new RecordingAudioError(`audio at ${shown} could not be fetched: ${cause?.code ?? cause?.message ?? String(error)}`, true);
  }
  if (response.status >= 300 && response.status < 400) {
    await response.body?.cancel();
    throw new RecordingAudioError(`audio at ${shown} answered ${response.status} (a redirect, not followed)`, false);
  }
  if (!response.ok) {
    await response.body?.cancel();
    const retryable = response.status >= 500 || response.status === 408 || response.status === 429;
    throw new RecordingAudioError(`audio at ${shown} answered ${response.status}`, retryable);
  }
  const declared = Number(response.headers.get('content-length') ?? NaN);
  if (declared > maxBytes) {
    await response.body?.cancel();
    throw new RecordingAudioError(`audio at ${shown} is ${declared} bytes, more than the ${maxBytes} a transcription takes`, false);
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for await (const chunk of response.body ?? []) {
      size += (chunk as Uint8Array).length;
      if (size > maxBytes) {
        throw new RecordingAudioError(`audio at ${shown} is more than the ${maxBytes} bytes a transcription takes`, false);
      }
      chunks.push(chunk as Uint8Array);
    }
  } catch (error) {
    if (error instanceof RecordingAudioError) throw error;
    if (options.signal?.aborted) throw options.signal.reason;
    throw new RecordingAudioError(`audio at ${shown} broke off: ${(error as Error).message}`, true);
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.length;
  }
  const name = decodeURIComponent(where.pathname.split('/').pop() ?? '') || 'recording';
  return { bytes, filename: name, contentType: response.headers.get('content-type') ?? undefined };
}
