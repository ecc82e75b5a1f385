import { getConfig } from '@/lib/config';
import { getDatabase } from '@/lib/db';
import { requireApiKey } from '@/lib/v1/auth';
import { openAIErrorResponse } from '@/lib/v1/errors';

/** OpenAI's model list: the ids /api/v1/chat/completions accepts. */
export async function GET(request: Request): Promise<Response> {
  try {
    await requireApiKey(request, await getDatabase());
    const data = getConfig().models.map((model) => ({ id: model.id, object: 'model', created: 0, owned_by: model.provider }));
    return Response.json({ object: 'list', data }, { headers: { 'cache-control': 'no-store' } });
  } catch (error) {
    return openAIErrorResponse(error);
  }
}
