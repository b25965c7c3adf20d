/** Why a running task was asked to stop; carried as the AbortSignal's reason. */
export class StopRequest {
  constructor(
    readonly kind: 'pause' | 'cancel' | 'lease-lost',
    readonly message: string,
  ) {}
}

/** The stop request behind an aborted signal (an unknown reason counts as a cancel). */
export function stopRequestOf(signal: AbortSignal): StopRequest {
  const reason: unknown = signal.reason;
  if (reason instanceof StopRequest) return reason;
  return new StopRequest(
    'cancel',
    typeof reason === 'string' ? reason : reason instanceof Error ? reason.message : 'aborted',
  );
}
