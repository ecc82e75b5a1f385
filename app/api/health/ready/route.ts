import { probeResponse, readiness } from '@/lib/lifecycle/probes';

/** GET /api/health/ready: 200 while this instance takes new work; 503 while it drains or its database is away. */
export async function GET(): Promise<Response> {
  return probeResponse(await readiness());
}
