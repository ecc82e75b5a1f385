import { z } from 'zod';
import { assertSameOrigin, knownIdentityId, requestIdentity, withIdentityCookie } from '@/lib/auth/session';
import { SYSTEM_PROMPT_LIMIT } from '@/lib/chat/export-format';
import { rememberInstructions } from '@/lib/chat/instructions';
import { parseJsonBody } from '@/lib/chat/request';
import { getDatabase } from '@/lib/db';
import { identityInstructions, setIdentityInstructions } from '@/lib/db/queries';
import { toChatError } from '@/lib/errors';
import { storableText } from '@/lib/text/storable';

const InstructionsSchema = z.object({
  // Empty clears them.
  instructions: z
    .string()
    .trim()
    .max(SYSTEM_PROMPT_LIMIT, `custom instructions have at most ${SYSTEM_PROMPT_LIMIT} characters`)
    .transform((text) => storableText(text) || null),
});

/** GET /api/instructions: this identity's custom instructions ({ instructions: string | null }). */
export async function GET(request: Request): Promise<Response> {
  try {
    assertSameOrigin(request);
    const identityId = await knownIdentityId(request);
    const instructions = identityId ? await identityInstructions(await getDatabase(), identityId) : null;
    return Response.json({ instructions }, { headers: { 'cache-control': 'no-store' } });
  } catch (error) {
    return toChatError(error).toResponse();
  }
}

/** PUT /api/instructions {instructions}: sets them; every new conversation starts with them as its system prompt. */
export async function PUT(request: Request): Promise<Response> {
  let setCookie: string | undefined;
  try {
    assertSameOrigin(request);
    const { instructions } = await parseJsonBody(request, InstructionsSchema);
    const db = await getDatabase();
    const identity = await requestIdentity(request, db);
    setCookie = identity.setCookie;
    await setIdentityInstructions(db, identity.id, instructions);
    rememberInstructions(identity.id, instructions);
    return withIdentityCookie(Response.json({ instructions }), setCookie);
  } catch (error) {
    return withIdentityCookie(toChatError(error).toResponse(), setCookie);
  }
}
