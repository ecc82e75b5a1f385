import { liveness, probeResponse } from '@/lib/lifecycle/probes';

/** GET /api/health/live: 200 while the process and its database answer (restart the container when not). */
export async function GET(): Promise<Response> {
  return probeResponse(await liveness());
}
